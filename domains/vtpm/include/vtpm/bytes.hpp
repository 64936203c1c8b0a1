// SPDX-License-Identifier: MIT
// Byte buffers and their hex spelling, as used in every vTPM file format.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dom::vtpm
{

using Bytes = std::vector<std::uint8_t>;

std::string to_hex(std::span<std::uint8_t const> b);

// Lower- or upper-case hex, even length; nullopt on anything else.
std::optional<Bytes> from_hex(std::string_view s);

inline Bytes to_bytes(std::string_view s)
{
    return Bytes(s.begin(), s.end());
}

} // namespace dom::vtpm
