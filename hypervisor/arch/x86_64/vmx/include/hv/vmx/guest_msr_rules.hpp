// SPDX-License-Identifier: MIT
// Checks on guest-written state that VM entry would otherwise reject (SDM 26.3.1): a guest
// value that fails one is refused before it reaches the VMCS, so a guest can only hurt itself
// with a #GP, never with a failed VM entry.
#pragma once

#include <cstdint>

namespace hv::vmx
{

// 48-bit linear addresses: bits 63:47 all equal.
constexpr bool canonical(uint64_t v)
{
    uint64_t const top = v >> 47;
    return top == 0 || top == 0x1ffff;
}

// IA32_PAT: each of the eight entries is UC (0), WC (1), WT (4), WP (5), WB (6) or UC- (7).
constexpr bool pat_valid(uint64_t v)
{
    for (unsigned i = 0; i < 8; ++i) {
        uint64_t const t = (v >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

inline constexpr uint64_t EFER_SCE = 1ull << 0;
inline constexpr uint64_t EFER_LME = 1ull << 8;
inline constexpr uint64_t EFER_LMA = 1ull << 10;
inline constexpr uint64_t EFER_NXE = 1ull << 11;

// A WRMSR to IA32_EFER: only SCE, LME and NXE may be written (LMA is the CPU's, SVME and the
// rest are reserved here), and LME may not change while paging is on.
constexpr bool efer_write_valid(uint64_t old_efer, uint64_t value, bool paging)
{
    if (value & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
        return false;
    return !paging || ((old_efer ^ value) & EFER_LME) == 0;
}

// RFLAGS as VM entry accepts it: reserved bits 63:22, 15, 5 and 3 clear, bit 1 set.
constexpr uint64_t sanitize_rflags(uint64_t v)
{
    return (v & 0x3f7fd7ull & ~(1ull << 3)) | 0x2;
}

} // namespace hv::vmx
