// SPDX-License-Identifier: MIT
// A checked policy, laid out as the binary will be: every table sorted by name, every
// reference an index. check() turns a Source into a Plan; write() turns a Plan into bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hv/result.hpp"
#include "source.hpp"
#include "ward/policy/error.hpp"

namespace ward::policy::detail
{

struct Plan
{
    struct Set
    {
        std::string name;
        std::vector<uint16_t> types;
    };
    struct Label
    {
        std::string name;
        std::optional<std::string> from;
        bool resource = false;
        std::optional<uint32_t> colour;
        std::vector<uint16_t> ste;
        std::vector<uint16_t> cw;
    };

    std::string name;
    uint32_t major = 0;
    uint32_t minor = 0;
    std::vector<std::string> ste;
    std::vector<std::optional<uint32_t>> ste_colour;
    std::vector<std::string> cw;
    std::vector<std::vector<uint16_t>> cw_sets;
    std::vector<Set> sets;
    std::vector<Label> labels;
    uint32_t bootstrap = 0;
};

// Every semantic rule of docs/policy.md ("Checks"); the first broken one is the error.
hv::Result<Plan, Error> check(Source const &src);

// The binary policy (docs/policy.md, "Binary format"), digest computed with OpenSSL.
std::vector<std::byte> write(Plan const &plan);

} // namespace ward::policy::detail
