// SPDX-License-Identifier: MIT
// VMX execution-control bits (Intel SDM Vol. 3C, 25.6 to 25.8) and the allowed-0/allowed-1
// adjustment every control word goes through before it is written to the VMCS.
#pragma once

#include <cstdint>

#include "hv/result.hpp"

namespace hv::vmx
{

namespace pin
{
inline constexpr uint32_t EXTERNAL_INTERRUPT_EXITING = 1u << 0;
inline constexpr uint32_t NMI_EXITING = 1u << 3;
inline constexpr uint32_t VIRTUAL_NMIS = 1u << 5;
inline constexpr uint32_t PREEMPTION_TIMER = 1u << 6;
} // namespace pin

namespace proc
{
inline constexpr uint32_t INTERRUPT_WINDOW_EXITING = 1u << 2;
inline constexpr uint32_t TSC_OFFSETTING = 1u << 3;
inline constexpr uint32_t HLT_EXITING = 1u << 7;
inline constexpr uint32_t INVLPG_EXITING = 1u << 9;
inline constexpr uint32_t MWAIT_EXITING = 1u << 10;
inline constexpr uint32_t RDPMC_EXITING = 1u << 11;
inline constexpr uint32_t RDTSC_EXITING = 1u << 12;
inline constexpr uint32_t CR3_LOAD_EXITING = 1u << 15;
inline constexpr uint32_t CR3_STORE_EXITING = 1u << 16;
inline constexpr uint32_t CR8_LOAD_EXITING = 1u << 19;
inline constexpr uint32_t CR8_STORE_EXITING = 1u << 20;
inline constexpr uint32_t TPR_SHADOW = 1u << 21;
inline constexpr uint32_t NMI_WINDOW_EXITING = 1u << 22;
inline constexpr uint32_t MOV_DR_EXITING = 1u << 23;
inline constexpr uint32_t UNCONDITIONAL_IO_EXITING = 1u << 24;
inline constexpr uint32_t USE_IO_BITMAPS = 1u << 25;
inline constexpr uint32_t MONITOR_TRAP_FLAG = 1u << 27;
inline constexpr uint32_t USE_MSR_BITMAPS = 1u << 28;
inline constexpr uint32_t MONITOR_EXITING = 1u << 29;
inline constexpr uint32_t PAUSE_EXITING = 1u << 30;
inline constexpr uint32_t ACTIVATE_SECONDARY = 1u << 31;
} // namespace proc

namespace proc2
{
inline constexpr uint32_t VIRTUALIZE_APIC_ACCESSES = 1u << 0;
inline constexpr uint32_t ENABLE_EPT = 1u << 1;
inline constexpr uint32_t DESCRIPTOR_TABLE_EXITING = 1u << 2;
inline constexpr uint32_t ENABLE_RDTSCP = 1u << 3;
inline constexpr uint32_t VIRTUALIZE_X2APIC = 1u << 4;
inline constexpr uint32_t ENABLE_VPID = 1u << 5;
inline constexpr uint32_t WBINVD_EXITING = 1u << 6;
inline constexpr uint32_t UNRESTRICTED_GUEST = 1u << 7;
inline constexpr uint32_t ENABLE_INVPCID = 1u << 12;
inline constexpr uint32_t ENABLE_VMFUNC = 1u << 13;
inline constexpr uint32_t ENABLE_XSAVES = 1u << 20;
} // namespace proc2

namespace exit_ctl
{
inline constexpr uint32_t SAVE_DEBUG_CONTROLS = 1u << 2;
inline constexpr uint32_t HOST_ADDRESS_SPACE_SIZE = 1u << 9;
inline constexpr uint32_t ACK_INTERRUPT_ON_EXIT = 1u << 15;
inline constexpr uint32_t SAVE_PAT = 1u << 18;
inline constexpr uint32_t LOAD_PAT = 1u << 19;
inline constexpr uint32_t SAVE_EFER = 1u << 20;
inline constexpr uint32_t LOAD_EFER = 1u << 21;
inline constexpr uint32_t SAVE_PREEMPTION_TIMER = 1u << 22;
} // namespace exit_ctl

namespace entry_ctl
{
inline constexpr uint32_t LOAD_DEBUG_CONTROLS = 1u << 2;
inline constexpr uint32_t IA32E_MODE_GUEST = 1u << 9;
inline constexpr uint32_t LOAD_PAT = 1u << 14;
inline constexpr uint32_t LOAD_EFER = 1u << 15;
} // namespace entry_ctl

// One capability MSR of a control word: bits 31:0 are the allowed-0 settings (a 1 means the
// control must be 1), bits 63:32 the allowed-1 settings (a 0 means the control must be 0).
struct Allowed_controls
{
    uint32_t must_be_one{};
    uint32_t may_be_one{};

    static constexpr Allowed_controls from_msr(uint64_t v)
    {
        return {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
    }
    constexpr bool allows(uint32_t bits) const { return (may_be_one & bits) == bits; }
};

// What a caller asks of one control word: bits it cannot run without, and bits it uses when
// the CPU offers them.
struct Control_request
{
    uint32_t required{};
    uint32_t optional{};
};

// The required bits the CPU cannot set.
struct Missing_controls
{
    uint32_t bits{};
};

// (required | offered optional bits | must-be-one bits), or the required bits that the
// allowed-1 settings forbid. The result always satisfies both allowed settings.
inline Result<uint32_t, Missing_controls> adjust_controls(Allowed_controls a, Control_request r)
{
    uint32_t const missing = r.required & ~a.may_be_one;
    if (missing != 0)
        return unexpected(Missing_controls{missing});
    return (r.required | (r.optional & a.may_be_one) | a.must_be_one) & a.may_be_one;
}

// True if `value` may be written to the control word `a` describes.
constexpr bool controls_valid(Allowed_controls a, uint32_t value)
{
    return (value & a.must_be_one) == a.must_be_one && (value & ~a.may_be_one) == 0;
}

} // namespace hv::vmx
