// SPDX-License-Identifier: MIT
// Hex encoding and strict decoding.
#include "vtpm/bytes.hpp"

namespace dom::vtpm
{

std::string to_hex(std::span<std::uint8_t const> b)
{
    static char const digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(b.size() * 2);
    for (auto const c : b) {
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 15]);
    }
    return s;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::optional<Bytes> from_hex(std::string_view s)
{
    if (s.size() % 2)
        return std::nullopt;
    Bytes out(s.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int const hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

} // namespace dom::vtpm
