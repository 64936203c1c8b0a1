// SPDX-License-Identifier: MIT
// Ward's VMX control selection (see control_plan.hpp).
#include "hv/vmx/control_plan.hpp"

namespace hv::vmx
{

char const *describe(Missing m)
{
    switch (m) {
    case Missing::VMCS_REGION_SIZE: return "VMCS region size is 0 or larger than 4 KiB";
    case Missing::VMCS_MEMORY_TYPE: return "VMCS memory type is not write-back";
    case Missing::SECONDARY_CONTROLS: return "no secondary processor-based VM-execution controls";
    case Missing::EPT: return "no EPT (extended page tables)";
    case Missing::UNRESTRICTED_GUEST:
        return "no unrestricted guest (needed to start PVH guests with paging off)";
    case Missing::EPT_WALK_LENGTH_4: return "no 4-level EPT page walk";
    case Missing::EPT_WRITE_BACK: return "EPT paging structures cannot be write-back";
    case Missing::INVEPT: return "no INVEPT (single-context or all-context)";
    case Missing::EXTERNAL_INTERRUPT_EXIT: return "no external-interrupt exiting";
    case Missing::HLT_EXIT: return "no HLT exiting";
    case Missing::IO_EXIT: return "no unconditional I/O exiting";
    case Missing::HOST_64BIT: return "no 64-bit host address space on VM exit";
    case Missing::EFER_SWITCH: return "no IA32_EFER save/load on VM exit and entry";
    case Missing::IA32E_GUEST: return "no IA-32e mode guest entry control";
    case Missing::CR3_EXIT_CLEARABLE: return "CR3-load/store exiting cannot be turned off";
    }
    return "unknown VMX feature";
}

namespace
{

// The first required control bit in `missing` mapped to a reason, for one control word.
struct Bit_reason
{
    uint32_t bit;
    Missing reason;
};

template <unsigned N>
Missing first_reason(uint32_t missing, Bit_reason const (&table)[N], Missing fallback)
{
    for (auto const &e : table)
        if (missing & e.bit)
            return e.reason;
    return fallback;
}

Result<uint32_t, Missing> pick_pin(Capabilities const &c)
{
    auto const r = adjust_controls(
        c.pin, {pin::EXTERNAL_INTERRUPT_EXITING | pin::NMI_EXITING, pin::PREEMPTION_TIMER});
    if (!r)
        return unexpected(Missing::EXTERNAL_INTERRUPT_EXIT);
    return *r;
}

Result<uint32_t, Missing> pick_proc(Capabilities const &c)
{
    // CR3 exits stay off: with EPT the guest owns its CR3. Every MSR access exits because no
    // MSR bitmap is used, and every port access exits (unconditional I/O exiting).
    uint32_t const required =
        proc::HLT_EXITING | proc::UNCONDITIONAL_IO_EXITING | proc::ACTIVATE_SECONDARY;
    static constexpr Bit_reason reasons[] = {
        {proc::ACTIVATE_SECONDARY, Missing::SECONDARY_CONTROLS},
        {proc::HLT_EXITING, Missing::HLT_EXIT},
        {proc::UNCONDITIONAL_IO_EXITING, Missing::IO_EXIT}};
    auto const r = adjust_controls(c.proc, {required, 0});
    if (!r)
        return unexpected(first_reason(r.error().bits, reasons, Missing::SECONDARY_CONTROLS));
    if (*r & (proc::CR3_LOAD_EXITING | proc::CR3_STORE_EXITING))
        return unexpected(Missing::CR3_EXIT_CLEARABLE);
    return *r;
}

Result<uint32_t, Missing> pick_proc2(Capabilities const &c)
{
    static constexpr Bit_reason reasons[] = {
        {proc2::ENABLE_EPT, Missing::EPT},
        {proc2::UNRESTRICTED_GUEST, Missing::UNRESTRICTED_GUEST}};
    auto const r = adjust_controls(
        c.proc2, {proc2::ENABLE_EPT | proc2::UNRESTRICTED_GUEST,
                  proc2::ENABLE_VPID | proc2::ENABLE_RDTSCP | proc2::ENABLE_INVPCID});
    if (!r)
        return unexpected(first_reason(r.error().bits, reasons, Missing::EPT));
    return *r;
}

Result<uint32_t, Missing> pick_exit(Capabilities const &c)
{
    static constexpr Bit_reason reasons[] = {
        {exit_ctl::HOST_ADDRESS_SPACE_SIZE, Missing::HOST_64BIT},
        {exit_ctl::SAVE_EFER | exit_ctl::LOAD_EFER, Missing::EFER_SWITCH}};
    // No acknowledge-interrupt-on-exit: the interrupt stays pending and the host takes it
    // through its IDT once it enables interrupts, as with SVM's INTR intercept.
    auto const r = adjust_controls(
        c.exit, {exit_ctl::HOST_ADDRESS_SPACE_SIZE | exit_ctl::SAVE_EFER | exit_ctl::LOAD_EFER,
                 exit_ctl::SAVE_PAT | exit_ctl::LOAD_PAT});
    if (!r)
        return unexpected(first_reason(r.error().bits, reasons, Missing::HOST_64BIT));
    return *r;
}

Result<uint32_t, Missing> pick_entry(Capabilities const &c)
{
    if (!c.entry.allows(entry_ctl::IA32E_MODE_GUEST))
        return unexpected(Missing::IA32E_GUEST);
    auto const r = adjust_controls(c.entry, {entry_ctl::LOAD_EFER, entry_ctl::LOAD_PAT});
    if (!r)
        return unexpected(Missing::EFER_SWITCH);
    return *r & ~entry_ctl::IA32E_MODE_GUEST;
}

} // namespace

Result<Control_plan, Missing> plan_controls(Capabilities const &caps)
{
    if (caps.basic.region_size == 0 || caps.basic.region_size > 4096)
        return unexpected(Missing::VMCS_REGION_SIZE);
    if (caps.basic.memory_type != 6)
        return unexpected(Missing::VMCS_MEMORY_TYPE);

    Control_plan p{};
    p.pin = HV_TRY(pick_pin(caps));
    p.proc = HV_TRY(pick_proc(caps));
    p.proc2 = HV_TRY(pick_proc2(caps));
    p.exit = HV_TRY(pick_exit(caps));
    p.entry = HV_TRY(pick_entry(caps));

    auto const &e = caps.ept_vpid;
    if (!e.walk_length_4)
        return unexpected(Missing::EPT_WALK_LENGTH_4);
    if (!e.memtype_wb)
        return unexpected(Missing::EPT_WRITE_BACK);
    if (!e.invept || !(e.invept_single || e.invept_all))
        return unexpected(Missing::INVEPT);
    p.invept = e.invept_single ? Invept_type::SINGLE_CONTEXT : Invept_type::ALL_CONTEXT;
    p.ept_large_pages = e.pde_2m;

    // VPID only helps if stale translations can be flushed; without INVVPID leave it off.
    bool const vpid_flushable = e.invvpid && (e.invvpid_single || e.invvpid_all);
    if (!vpid_flushable && !(caps.proc2.must_be_one & proc2::ENABLE_VPID))
        p.proc2 &= ~proc2::ENABLE_VPID;
    p.vpid = (p.proc2 & proc2::ENABLE_VPID) != 0;
    p.preemption_timer = (p.pin & pin::PREEMPTION_TIMER) != 0;
    p.preemption_timer_shift = caps.misc.preemption_timer_shift;
    p.invvpid = e.invvpid_single ? Invvpid_type::SINGLE_CONTEXT : Invvpid_type::ALL_CONTEXT;
    return p;
}

} // namespace hv::vmx
