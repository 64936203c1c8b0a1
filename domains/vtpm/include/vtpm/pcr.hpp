// SPDX-License-Identifier: MIT
// Platform PCR selections and SHA-256 PCR values; the comparison that tells an operator which
// PCRs changed since the manager key was sealed. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vtpm/crypto.hpp"

namespace dom::vtpm
{

// Sorted, unique PCR indices 0..23.
struct Pcr_selection
{
    std::vector<unsigned> pcrs;

    // "0,2,4,7-9": comma-separated indices and ranges. BAD_INPUT on anything else or an empty
    // list.
    static Result<Pcr_selection> parse(std::string const &text);
    std::string to_string() const;
};

// The default: firmware (0, 2), boot loader (4), Secure Boot (7), GRUB commands and files (8,
// 9: these measure Ward's hypervisor, the manager's domain image and their command lines).
inline constexpr char const *DEFAULT_PLATFORM_PCRS = "0,2,4,7,8,9";

using Pcr_values = std::map<unsigned, Digest>;

// PCRs in `expected` whose value in `actual` differs or is missing, ascending.
std::vector<unsigned> differing_pcrs(Pcr_values const &expected, Pcr_values const &actual);

// "PCR 8, 9 differ from the sealed configuration (PCR 8: sealed 1234abcd..., now 9f00...)".
std::string describe_pcr_mismatch(Pcr_values const &expected, Pcr_values const &actual);

} // namespace dom::vtpm
