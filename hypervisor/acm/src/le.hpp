// SPDX-License-Identifier: MIT
// Little-endian loads at offsets the caller has already proven in range.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv::acm::detail
{

inline uint16_t le16(std::byte const *p)
{
    return static_cast<uint16_t>(uint16_t(p[0]) | (uint16_t(p[1]) << 8));
}

inline uint32_t le32(std::byte const *p)
{
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

} // namespace hv::acm::detail
