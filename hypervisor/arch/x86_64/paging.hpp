// SPDX-License-Identifier: MIT
// The hypervisor's own address space: an identity map of [0, 4 GiB), supervisor-only, with W^X
// for the image (text RX, rodata R+NX, data/bss RW+NX), everything else RW+NX, MMIO above 3 GiB
// uncached, page 0 unmapped. Physical memory is reached at va == pa.
#pragma once

#include <cstdint>

namespace hv::x86
{

inline constexpr uint64_t IDENTITY_MAP_END = 1ull << 32;

struct Cpu_features
{
    bool nx;
    bool smep;
    bool smap;
};

// Builds the final tables, switches CR3, and turns on NX, SMEP and SMAP where offered.
Cpu_features paging_init();

// [va, va + len) is mapped in the hypervisor's tables (for the exception dump, which must not
// fault again on a broken pointer or stack).
bool mapped(uint64_t va, uint64_t len);

template <typename T = void> inline T *phys_to_virt(uint64_t pa)
{
    return reinterpret_cast<T *>(pa);
}

} // namespace hv::x86
