// SPDX-License-Identifier: MIT
// Guest segment access rights in the VMCS format (Intel SDM Vol. 3C, 25.4.1), and conversion
// from the packed 12-bit attribute format used by AMD's VMCB and Xen's segment_register:
//   packed attr: bits 7:0 type/S/DPL/P, bits 11:8 AVL/L/DB/G
//   VMX AR:      bits 7:0 type/S/DPL/P, bits 15:12 AVL/L/DB/G, bit 16 "unusable"
#pragma once

#include <cstdint>

namespace hv::vmx
{

inline constexpr uint32_t AR_UNUSABLE = 1u << 16;
inline constexpr uint32_t AR_PRESENT = 1u << 7;
inline constexpr uint32_t AR_S = 1u << 4;
inline constexpr uint32_t AR_L = 1u << 13;
inline constexpr uint32_t AR_DB = 1u << 14;
inline constexpr uint32_t AR_G = 1u << 15;

// A segment that is not present becomes "unusable", which is how VMX marks a null selector.
constexpr uint32_t access_rights_from_attr(uint16_t attr)
{
    if (!(attr & AR_PRESENT))
        return AR_UNUSABLE;
    return (attr & 0xffu) | ((attr & 0xf00u) << 4);
}

constexpr uint16_t attr_from_access_rights(uint32_t ar)
{
    if (ar & AR_UNUSABLE)
        return 0;
    return static_cast<uint16_t>((ar & 0xffu) | ((ar >> 4) & 0xf00u));
}

enum class Segment_kind : uint8_t
{
    CS,
    SS,
    DATA, // DS, ES, FS, GS
    TR,
    LDTR,
};

// The VM-entry checks on one guest segment register for an unrestricted guest in protected
// or long mode (26.3.1.2), so that a bad start state gets a named reason instead of an entry
// failure. Returns nullptr if the segment passes, else what is wrong.
char const *segment_problem(Segment_kind kind, uint32_t ar, uint32_t limit, bool long_mode_guest);

} // namespace hv::vmx
