// SPDX-License-Identifier: MIT
// Node permissions: "<letter><domid>" entries, the first naming the owner and the default access.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hv/result.hpp"
#include "ward/store/wire.hpp"

namespace dom::store
{

enum Access : uint8_t
{
    ACCESS_NONE = 0,
    ACCESS_READ = 1,
    ACCESS_WRITE = 2,
    ACCESS_BOTH = 3,
    ACCESS_OWNER = 8, // internal: may change permissions
};

struct Perm
{
    uint32_t domid;
    uint8_t access; // ACCESS_NONE..ACCESS_BOTH

    bool operator==(Perm const &) const = default;
};

using Perms = std::vector<Perm>;

// Who is asking: the connection's domain, whether it is privileged (dom0, the socket), and the
// domain it acts for after SET_TARGET.
struct Caller
{
    uint32_t domid = 0;
    bool privileged = true;
    std::optional<uint32_t> target;
};

// "n5" -> {5, NONE}; EINVAL for anything else (unknown letter, empty or non-decimal domid).
hv::Result<Perm, Err> parse_perm(std::string_view s);

// Appends "<letter><domid>\0" for each entry.
void format_perms(Perms const &perms, std::string &out);

// Effective access of `caller` on a node (C xenstored's perm_for_conn): privileged callers and
// the owner get everything; otherwise the first matching later entry, else entry 0's letter.
uint8_t access_for(Caller const &caller, Perms const &perms);

} // namespace dom::store
