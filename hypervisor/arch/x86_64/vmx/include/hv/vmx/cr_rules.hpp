// SPDX-License-Identifier: MIT
// The guest's control-register writes that exit to the backend (the bits in the CR0/CR4
// guest/host masks): decoding of the CR-access exit qualification (SDM table 28-3) and the
// architectural rules a write must follow (SDM Vol. 3A 2.5, 10.8.5). A write that breaks one
// gets #GP in the guest; EFER.LMA follows LME && PG, as the CPU would set it.
#pragma once

#include <cstdint>
#include <optional>

namespace hv::vmx
{

namespace cr0
{
inline constexpr uint64_t PE = 1ull << 0;
inline constexpr uint64_t MP = 1ull << 1;
inline constexpr uint64_t EM = 1ull << 2;
inline constexpr uint64_t TS = 1ull << 3;
inline constexpr uint64_t ET = 1ull << 4;
inline constexpr uint64_t NW = 1ull << 29;
inline constexpr uint64_t CD = 1ull << 30;
inline constexpr uint64_t PG = 1ull << 31;
} // namespace cr0

namespace cr4
{
inline constexpr uint64_t PAE = 1ull << 5;
inline constexpr uint64_t VMXE = 1ull << 13;
} // namespace cr4

namespace efer
{
inline constexpr uint64_t LME = 1ull << 8;
inline constexpr uint64_t LMA = 1ull << 10;
} // namespace efer

enum class Cr_access_type : uint8_t
{
    MOV_TO_CR = 0,
    MOV_FROM_CR = 1,
    CLTS = 2,
    LMSW = 3,
};

struct Cr_access
{
    uint8_t cr;           // bits 3:0
    Cr_access_type type;  // bits 5:4
    uint8_t gpr;          // bits 11:8, x86 encoding order (4 = RSP)
    uint16_t lmsw_source; // bits 31:16

    static constexpr Cr_access decode(uint64_t q)
    {
        return {static_cast<uint8_t>(q & 0xf), static_cast<Cr_access_type>((q >> 4) & 3),
                static_cast<uint8_t>((q >> 8) & 0xf), static_cast<uint16_t>(q >> 16)};
    }
};

// MOV to CR0 (also the result of CLTS and LMSW): the new CR0 as the guest sees it, or nullopt
// for #GP. `old_cr0`, `efer` and `cr4` are the guest's current values.
constexpr std::optional<uint64_t> cr0_write(uint64_t old_cr0, uint64_t value, uint64_t efer_v,
                                            uint64_t cr4_v)
{
    if (value >> 32)
        return std::nullopt;
    if ((value & cr0::PG) && !(value & cr0::PE))
        return std::nullopt;
    if ((value & cr0::NW) && !(value & cr0::CD))
        return std::nullopt;
    bool const paging_on = (value & cr0::PG) && !(old_cr0 & cr0::PG);
    if (paging_on && (efer_v & efer::LME) && !(cr4_v & cr4::PAE))
        return std::nullopt;
    return value | cr0::ET; // ET is hardwired to 1
}

// LMSW loads PE, MP, EM and TS from its operand but cannot clear PE.
constexpr uint64_t lmsw_value(uint64_t old_cr0, uint16_t source)
{
    return (old_cr0 & ~(cr0::MP | cr0::EM | cr0::TS)) | (source & 0xf) | (old_cr0 & cr0::PE);
}

// MOV to CR4: bits the CPU cannot set in VMX operation (outside CR4_FIXED1) and VMXE (VMX is
// not offered to guests) are reserved; PAE cannot be cleared in long mode.
constexpr bool cr4_write_valid(uint64_t value, uint64_t cr4_fixed1, uint64_t efer_v)
{
    if (value & (~cr4_fixed1 | cr4::VMXE))
        return false;
    return !((efer_v & efer::LMA) && !(value & cr4::PAE));
}

// EFER with LMA = LME && CR0.PG.
constexpr uint64_t efer_with_lma(uint64_t efer_v, uint64_t cr0_v)
{
    bool const lma = (efer_v & efer::LME) && (cr0_v & cr0::PG);
    return lma ? efer_v | efer::LMA : efer_v & ~efer::LMA;
}

} // namespace hv::vmx
