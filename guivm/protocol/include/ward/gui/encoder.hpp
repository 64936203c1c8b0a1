// SPDX-License-Identifier: MIT
// Serialising GUI protocol messages (both directions).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "ward/gui/wire.hpp"

namespace gvm::proto
{

inline std::vector<uint8_t> encode_raw(Type t, uint32_t window, void const *body, std::size_t len)
{
    std::vector<uint8_t> out(sizeof(Header) + len);
    Header const h{static_cast<uint32_t>(t), window, static_cast<uint32_t>(len)};
    std::memcpy(out.data(), &h, sizeof h);
    if (len)
        std::memcpy(out.data() + sizeof h, body, len);
    return out;
}

template <typename BODY> std::vector<uint8_t> encode(Type t, uint32_t window, BODY const &body)
{
    return encode_raw(t, window, &body, sizeof body);
}

inline std::vector<uint8_t> encode_empty(Type t, uint32_t window)
{
    return encode_raw(t, window, nullptr, 0);
}

inline std::vector<uint8_t> encode_clipboard(std::span<uint8_t const> data)
{
    return encode_raw(Type::CLIPBOARD_DATA, 0, data.data(), data.size());
}

inline std::vector<uint8_t> encode_dump_memfd(uint32_t window, uint32_t w, uint32_t h,
                                              uint32_t handle)
{
    struct
    {
        Window_dump_header hdr;
        uint32_t handle;
    } body{{DUMP_TYPE_MEMFD, w, h, DUMP_BPP}, handle};
    return encode_raw(Type::WINDOW_DUMP, window, &body, sizeof body);
}

} // namespace gvm::proto
