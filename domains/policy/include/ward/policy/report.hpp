// SPDX-License-Identifier: MIT
// The texts behind `ward-policy show`, `explain` and `diff`.
#pragma once

#include <string>

#include "ward/policy/policy.hpp"

namespace ward::policy
{

// A readable dump of the whole policy.
std::string show(Policy const &p);

// First line "share: allow|deny", second "coexist: allow|deny", then why.
hv::Result<std::string, Error> explain(Policy const &p, std::string const &a, std::string const &b);

struct Diff
{
    std::string text;
    size_t revoked = 0; // share/use/coexist permissions of A that B takes away, plus lost labels
};

// What moving from policy `a` to policy `b` would revoke (and, for information, grant).
Diff diff(Policy const &a, Policy const &b);

} // namespace ward::policy
