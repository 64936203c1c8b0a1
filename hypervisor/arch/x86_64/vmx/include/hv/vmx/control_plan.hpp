// SPDX-License-Identifier: MIT
// Ward's choice of VMX controls: what the backend cannot run without (EPT, unrestricted guest,
// the exits of issue 4) and what it uses when offered (VPID). The result is computed once per
// boot from the capability MSRs; a CPU that lacks a required feature gets a named reason.
#pragma once

#include <cstdint>

#include "hv/result.hpp"
#include "hv/vmx/capabilities.hpp"

namespace hv::vmx
{

// Why this CPU cannot run Ward's VMX backend. describe() gives the boot message.
enum class Missing : uint8_t
{
    VMCS_REGION_SIZE,   // VMX_BASIC region size is 0 or larger than one page
    VMCS_MEMORY_TYPE,   // VMCS memory type is not write-back
    SECONDARY_CONTROLS, // no secondary processor-based controls
    EPT,                // no extended page tables
    UNRESTRICTED_GUEST, // PVH guests start with paging off
    EPT_WALK_LENGTH_4,  // no 4-level EPT walk
    EPT_WRITE_BACK,     // EPT structures cannot be write-back
    INVEPT,             // no INVEPT single-context or all-context
    EXTERNAL_INTERRUPT_EXIT,
    HLT_EXIT,
    IO_EXIT,
    HOST_64BIT,         // exit to a 64-bit host
    EFER_SWITCH,        // save/load IA32_EFER on exit, load on entry
    IA32E_GUEST,        // entry into a 64-bit guest
    CR3_EXIT_CLEARABLE, // CR3 load/store exiting cannot be turned off
};

char const *describe(Missing m);

enum class Invept_type : uint8_t
{
    SINGLE_CONTEXT = 1,
    ALL_CONTEXT = 2,
};

enum class Invvpid_type : uint8_t
{
    SINGLE_CONTEXT = 1,
    ALL_CONTEXT = 2,
};

struct Control_plan
{
    uint32_t pin{};
    uint32_t proc{};
    uint32_t proc2{};
    uint32_t exit{};
    // Without IA32E_MODE_GUEST: entry_controls() adds it for a guest with EFER.LMA set.
    uint32_t entry{};
    bool vpid{};
    Invept_type invept{Invept_type::ALL_CONTEXT};
    Invvpid_type invvpid{Invvpid_type::ALL_CONTEXT};
    bool ept_large_pages{}; // 2 MiB EPT leaves
    // The VMX preemption timer is armed on every entry as a backstop that bounds how long a
    // guest runs without an exit (Bochs 2.7 holds back external-interrupt exits while the
    // guest has RFLAGS.IF = 0). Its rate is TSC >> preemption_timer_shift.
    bool preemption_timer{};
    uint8_t preemption_timer_shift{};

    constexpr uint32_t entry_controls(bool guest_long_mode) const
    {
        return guest_long_mode ? entry | entry_ctl::IA32E_MODE_GUEST
                               : entry & ~entry_ctl::IA32E_MODE_GUEST;
    }
};

Result<Control_plan, Missing> plan_controls(Capabilities const &caps);

// The EPT pointer for a 4-level, write-back EPT rooted at `pml4_phys` (SDM 25.6.11).
constexpr uint64_t make_eptp(uint64_t pml4_phys)
{
    constexpr uint64_t MEMTYPE_WB = 6;
    constexpr uint64_t WALK_LENGTH_4 = 3ull << 3;
    return (pml4_phys & ~0xfffull) | WALK_LENGTH_4 | MEMTYPE_WB;
}

} // namespace hv::vmx
