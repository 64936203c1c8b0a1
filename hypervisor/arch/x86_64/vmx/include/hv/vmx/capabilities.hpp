// SPDX-License-Identifier: MIT
// VMX feature discovery: decodes the capability MSRs (Intel SDM Vol. 3D, appendix A) into one
// plain value. Reading the MSRs is the caller's job (a callable `uint64_t(uint32_t index)`), so
// the decoding runs on the host against recorded MSR values as well as on the CPU.
#pragma once

#include <cstdint>

#include "hv/result.hpp"
#include "hv/vmx/controls.hpp"
#include "hv/vmx/msr_index.hpp"

namespace hv::vmx
{

// IA32_VMX_BASIC (A.1).
struct Vmx_basic
{
    uint32_t revision{};    // bits 30:0, written to the first word of VMXON and VMCS regions
    uint32_t region_size{}; // bits 44:32, bytes to reserve for a VMXON or VMCS region
    bool phys_addr_32{};    // bit 48: VMXON/VMCS/bitmap addresses limited to 32 bits
    uint8_t memory_type{};  // bits 53:50: 6 = write-back
    bool ins_outs_info{};   // bit 54: exit instruction information for INS/OUTS
    bool true_controls{};   // bit 55: the TRUE_* control MSRs exist and take precedence

    static constexpr Vmx_basic decode(uint64_t v)
    {
        return {static_cast<uint32_t>(v & 0x7fffffffu),
                static_cast<uint32_t>((v >> 32) & 0x1fffu),
                ((v >> 48) & 1) != 0,
                static_cast<uint8_t>((v >> 50) & 0xf),
                ((v >> 54) & 1) != 0,
                ((v >> 55) & 1) != 0};
    }
};

// IA32_VMX_MISC (A.6).
struct Vmx_misc
{
    uint8_t preemption_timer_shift{}; // bits 4:0: the timer counts down every 2^shift TSC ticks
    bool stores_lma{};                // bit 5
    bool activity_hlt{};              // bit 6
    bool activity_shutdown{};         // bit 7
    bool activity_wait_sipi{};        // bit 8
    uint8_t cr3_target_count{};       // bits 24:16
    uint32_t max_msr_list{};          // 512 * (bits 27:25 + 1) entries
    bool vmwrite_exit_fields{};       // bit 29: VMWRITE may write the exit-information fields

    static constexpr Vmx_misc decode(uint64_t v)
    {
        return {static_cast<uint8_t>(v & 0x1f),
                ((v >> 5) & 1) != 0,
                ((v >> 6) & 1) != 0,
                ((v >> 7) & 1) != 0,
                ((v >> 8) & 1) != 0,
                static_cast<uint8_t>((v >> 16) & 0x1ff),
                static_cast<uint32_t>(512u * (((v >> 25) & 7) + 1)),
                ((v >> 29) & 1) != 0};
    }
};

// IA32_VMX_EPT_VPID_CAP (A.10).
struct Ept_vpid_caps
{
    bool execute_only{};                // bit 0
    bool walk_length_4{};               // bit 6
    bool memtype_uc{};                  // bit 8
    bool memtype_wb{};                  // bit 14
    bool pde_2m{};                      // bit 16
    bool pdpte_1g{};                    // bit 17
    bool invept{};                      // bit 20
    bool accessed_dirty{};              // bit 21
    bool invept_single{};               // bit 25
    bool invept_all{};                  // bit 26
    bool invvpid{};                     // bit 32
    bool invvpid_address{};             // bit 40
    bool invvpid_single{};              // bit 41
    bool invvpid_all{};                 // bit 42
    bool invvpid_single_keep_globals{}; // bit 43

    static constexpr Ept_vpid_caps decode(uint64_t v)
    {
        auto const bit = [v](unsigned n) { return ((v >> n) & 1) != 0; };
        return {bit(0),  bit(6),  bit(8),  bit(14), bit(16), bit(17), bit(20), bit(21),
                bit(25), bit(26), bit(32), bit(40), bit(41), bit(42), bit(43)};
    }
};

// A pair of CRx_FIXED MSRs (A.7, A.8): bits set in fixed0 must be 1, bits clear in fixed1
// must be 0, in VMX operation and in the guest.
struct Fixed_bits
{
    uint64_t fixed0{};
    uint64_t fixed1{};

    // `v` with every fixed bit forced to its required value.
    constexpr uint64_t apply(uint64_t v) const { return (v | fixed0) & fixed1; }
    // The bits of `v` that break the rule (0 if none).
    constexpr uint64_t violations(uint64_t v) const { return (~v & fixed0) | (v & ~fixed1); }
    constexpr bool valid(uint64_t v) const { return violations(v) == 0; }
};

inline constexpr uint64_t CR0_PE = 1ull << 0;
inline constexpr uint64_t CR0_NE = 1ull << 5;
inline constexpr uint64_t CR0_PG = 1ull << 31;
inline constexpr uint64_t CR4_VMXE = 1ull << 13;

// Everything the backend needs to know about this CPU's VMX implementation.
struct Capabilities
{
    Vmx_basic basic;
    // Taken from the TRUE_* MSRs when VMX_BASIC bit 55 says they exist.
    Allowed_controls pin;
    Allowed_controls proc;
    Allowed_controls proc2; // all zero when the CPU has no secondary controls
    Allowed_controls exit;
    Allowed_controls entry;
    Vmx_misc misc;
    Ept_vpid_caps ept_vpid; // all false when neither EPT nor VPID can be enabled
    Fixed_bits cr0;
    Fixed_bits cr4;

    // The CR0 rule for a guest: with unrestricted guest, PE and PG may be 0 (SDM 26.3.1.1).
    constexpr Fixed_bits guest_cr0(bool unrestricted) const
    {
        Fixed_bits f = cr0;
        if (unrestricted)
            f.fixed0 &= ~(CR0_PE | CR0_PG);
        return f;
    }
};

// Reads and decodes the capability MSRs. Only MSRs that exist on this CPU are read: the
// secondary-controls MSR only if the primary controls may activate it, EPT_VPID_CAP only if
// the secondary controls may enable EPT or VPID (A.3.3, A.10).
template <typename READ_MSR> Capabilities read_capabilities(READ_MSR &&read_msr)
{
    Capabilities c{};
    c.basic = Vmx_basic::decode(read_msr(msr::VMX_BASIC));
    bool const t = c.basic.true_controls;
    c.pin = Allowed_controls::from_msr(
        read_msr(t ? msr::VMX_TRUE_PINBASED_CTLS : msr::VMX_PINBASED_CTLS));
    c.proc = Allowed_controls::from_msr(
        read_msr(t ? msr::VMX_TRUE_PROCBASED_CTLS : msr::VMX_PROCBASED_CTLS));
    c.exit = Allowed_controls::from_msr(read_msr(t ? msr::VMX_TRUE_EXIT_CTLS : msr::VMX_EXIT_CTLS));
    c.entry =
        Allowed_controls::from_msr(read_msr(t ? msr::VMX_TRUE_ENTRY_CTLS : msr::VMX_ENTRY_CTLS));
    c.misc = Vmx_misc::decode(read_msr(msr::VMX_MISC));
    c.cr0 = {read_msr(msr::VMX_CR0_FIXED0), read_msr(msr::VMX_CR0_FIXED1)};
    c.cr4 = {read_msr(msr::VMX_CR4_FIXED0), read_msr(msr::VMX_CR4_FIXED1)};
    if (c.proc.allows(proc::ACTIVATE_SECONDARY))
        c.proc2 = Allowed_controls::from_msr(read_msr(msr::VMX_PROCBASED_CTLS2));
    if (c.proc2.may_be_one & (proc2::ENABLE_EPT | proc2::ENABLE_VPID))
        c.ept_vpid = Ept_vpid_caps::decode(read_msr(msr::VMX_EPT_VPID_CAP));
    return c;
}

} // namespace hv::vmx
