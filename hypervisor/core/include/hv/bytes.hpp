// SPDX-License-Identifier: MIT
// Bounds-checked little-endian reads and writes on byte spans, and overflow-checked address
// arithmetic: the two things every parser of untrusted input in core needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

namespace hv
{

// Reads an unsigned little-endian integer of type T at `offset`; nullopt if it does not fit.
template <typename T>
requires std::is_unsigned_v<T>
constexpr std::optional<T> read_le(std::span<std::byte const> bytes, uint64_t offset)
{
    if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
        return std::nullopt;
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        v = static_cast<T>(v | (static_cast<T>(bytes[offset + i]) << (8 * i)));
    return v;
}

// Reads a little-endian integer at an offset already proven in range (the caller checked the
// enclosing structure's size).
template <typename T>
requires std::is_unsigned_v<T>
constexpr T load_le(std::span<std::byte const> bytes, uint64_t offset)
{
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        v = static_cast<T>(v | (static_cast<T>(bytes[offset + i]) << (8 * i)));
    return v;
}

// Writes a little-endian integer; false if it does not fit.
template <typename T>
requires std::is_unsigned_v<T>
constexpr bool write_le(std::span<std::byte> bytes, uint64_t offset, T v)
{
    if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
        return false;
    for (size_t i = 0; i < sizeof(T); ++i)
        bytes[offset + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
    return true;
}

// [offset, offset + len) lies inside a buffer of `size` bytes, without overflow.
constexpr bool range_within(uint64_t offset, uint64_t len, uint64_t size)
{
    return offset <= size && len <= size - offset;
}

// base + len as the exclusive end of a range; nullopt when it wraps past 2^64.
constexpr std::optional<uint64_t> range_end(uint64_t base, uint64_t len)
{
    uint64_t end = 0;
    if (__builtin_add_overflow(base, len, &end))
        return std::nullopt;
    return end;
}

// Two half-open ranges [a, a_end) and [b, b_end) share at least one byte.
constexpr bool ranges_overlap(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
    return a < b_end && b < a_end;
}

constexpr uint64_t align_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) & ~(align - 1);
}

constexpr uint64_t align_down(uint64_t v, uint64_t align)
{
    return v & ~(align - 1);
}

} // namespace hv
