// SPDX-License-Identifier: MIT
// vcpu_op (24) for PVH guests (docs/linux-guest.md): VCPUOP_register_vcpu_info (the vcpu_info
// moves into guest memory; event bits and the pvclock follow it), register_runstate_memory_area,
// and the timer sub-ops Linux's Xen clockevent uses. Every address and index the guest passes is
// checked; anything else is -ENOSYS, never a crash.
#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "hv/bytes.hpp"
#include "hv/guest_timer.hpp"
#include "hv/vplatform/pvclock.hpp"
#include "kernel/channels.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/guest_timer.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "kernel/kernel.hpp"

namespace hv::kernel
{
namespace
{

using xen::Errno;

constexpr uint64_t VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA = 5;
constexpr uint64_t VCPUOP_STOP_PERIODIC_TIMER = 7;
constexpr uint64_t VCPUOP_SET_SINGLESHOT_TIMER = 8;
constexpr uint64_t VCPUOP_STOP_SINGLESHOT_TIMER = 9;
constexpr uint64_t VCPUOP_REGISTER_VCPU_INFO = 10;
constexpr uint64_t VCPUOP_IS_UP = 3;
constexpr uint64_t VCPUOP_REGISTER_VCPU_TIME_MEMORY_AREA = 13;
constexpr uint64_t VCPU_INFO_BYTES = 64;     // vcpu_info on x86-64
constexpr uint64_t VCPU_TIME_OFFSET = 32;    // vcpu_info.time
constexpr uint64_t SHARED_WC_VERSION = 3072; // shared_info.wc_version (x86-64 layout)

struct Vcpu_extras
{
    uint16_t owner = 0xffff; // domain id this slot was set up for
    uint64_t vcpu_info_gpa = ~uint64_t{0};
    uint64_t runstate_gpa = ~uint64_t{0};
    uint64_t start_tsc = 0;
    timer::Vcpu_timers timers; // periodic (until stopped) and single-shot VIRQ_TIMER
};

std::array<Vcpu_extras, MAX_DOMAINS> extras;
bool timers_changed = false;

Vcpu_extras &extras_of(Domain const &d)
{
    Vcpu_extras &x = extras[static_cast<size_t>(&d - domains().data())];
    if (x.owner != d.id || x.start_tsc == 0) {
        x = {};
        x.owner = d.id;
        x.start_tsc = x86::rdtsc();
    }
    return x;
}

vplatform::Pvclock_scale scale()
{
    return vplatform::pvclock_scale(tsc_per_us() * 1000000);
}

// The guest's system time (what its pvclock reads) now.
uint64_t guest_now_ns(Vcpu_extras const &x)
{
    return vplatform::pvclock_scale_delta(x86::rdtsc() - x.start_tsc, scale());
}

// Publishes the pvclock into the vcpu_info at `gpa` (time at +32), if it is the domain's RAM.
void publish_time(Domain &d, Vcpu_extras const &x, uint64_t vcpu_info_gpa)
{
    uint64_t hpa = 0;
    if (vcpu_info_gpa == ~uint64_t{0} || !d.gpa_to_hpa(vcpu_info_gpa + VCPU_TIME_OFFSET, hpa))
        return;
    uint64_t const now = x86::rdtsc();
    auto const s = scale();
    uint64_t const ns = vplatform::pvclock_scale_delta(now - x.start_tsc, s);
    auto *t = x86::phys_to_virt<vplatform::Vcpu_time_info volatile>(hpa);
    vplatform::pvclock_publish(*t, now, ns, s, 0);
}

// Wall clock in shared_info: Ward has no RTC source yet, so the epoch is the domain's start.
void publish_wallclock(Domain &d, uint64_t shared_gpa)
{
    uint32_t const wc[3] = {2, 0, 0}; // wc_version (even: stable), wc_sec, wc_nsec
    (void)write_guest_phys(d, shared_gpa + SHARED_WC_VERSION, wc, sizeof wc);
}

Hypercall_result register_vcpu_info(Domain &self, arch::Vcpu &v, Vcpu_extras &x, uint64_t arg)
{
    // struct vcpu_register_vcpu_info { uint64_t mfn; uint32_t offset; uint32_t rsvd; }
    std::byte buf[16];
    if (!read_guest(self, v, arg, buf, sizeof buf))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    std::span<std::byte const> const b{buf};
    uint64_t const gfn = load_le<uint64_t>(b, 0);
    uint32_t const offset = load_le<uint32_t>(b, 8);
    if (load_le<uint32_t>(b, 12) != 0 || offset > PAGE_SIZE - VCPU_INFO_BYTES ||
        (offset & 7) != 0 || gfn >= self.mem_bytes / PAGE_SIZE)
        return Hypercall_result::error(Errno::XEN_EINVAL);
    if (x.vcpu_info_gpa != ~uint64_t{0})
        return Hypercall_result::error(Errno::XEN_EINVAL); // Xen: once per vCPU
    uint64_t const gpa = gfn * PAGE_SIZE + offset;
    uint64_t hpa = 0;
    Domain_channels &c = channels(self);
    if (!self.gpa_to_hpa(gpa, hpa) || !c.active || c.shared_info_gpa == ~uint64_t{0})
        return Hypercall_result::error(Errno::XEN_EINVAL);
    uint64_t shared_hpa = 0;
    if (!self.gpa_to_hpa(c.shared_info_gpa, shared_hpa))
        return Hypercall_result::error(Errno::XEN_EINVAL);
    // Xen copies the current vcpu_info over; the event bits move with attach().
    std::byte old[VCPU_INFO_BYTES];
    if (!read_guest_phys(self, c.shared_info_gpa, old, sizeof old) ||
        !write_guest_phys(self, gpa, old, sizeof old))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    evtchn::Vcpu_events *const vcpus[1] = {x86::phys_to_virt<evtchn::Vcpu_events>(hpa)};
    c.evtchn->attach(x86::phys_to_virt<evtchn::Shared_events>(shared_hpa + 2048), vcpus,
                     v.mode() == arch::Guest_mode::LONG64 ? 64 : 32);
    x.vcpu_info_gpa = gpa;
    c.vcpu_info_gpa = gpa; // upcall injection looks here from now on
    publish_time(self, x, gpa);
    return {0};
}

} // namespace

// The pvclock in shared_info's vcpu_info[0] (read before VCPUOP_register_vcpu_info, e.g. for
// the TSC frequency) and in the registered vcpu_info, plus the wall clock.
void publish_guest_time(Domain &d)
{
    Vcpu_extras &x = extras_of(d);
    Domain_channels const &c = channels(d);
    if (c.active && c.shared_info_gpa != ~uint64_t{0}) {
        publish_time(d, x, c.shared_info_gpa);
        publish_wallclock(d, c.shared_info_gpa);
    }
    publish_time(d, x, x.vcpu_info_gpa);
}

uint64_t guest_timer_deadline_tsc(Domain &d)
{
    Domain_channels const &c = channels(d);
    if (!c.active || !c.evtchn->virq_bound(evtchn::VIRQ_TIMER, 0))
        return timer::NONE;
    Vcpu_extras &x = extras_of(d);
    uint64_t const ns = timer::next_deadline(x.timers);
    uint64_t const delta = timer::ns_to_tsc(ns, tsc_per_us());
    return delta > timer::NONE - x.start_tsc ? timer::NONE : x.start_tsc + delta;
}

void guest_timer_fire(Domain &d)
{
    Domain_channels &c = channels(d);
    if (!c.active)
        return;
    Vcpu_extras &x = extras_of(d);
    if (!timer::expire(x.timers, guest_now_ns(x)))
        return;
    deliver(c.evtchn->raise_virq(evtchn::VIRQ_TIMER, 0));
}

void guest_timers_touch()
{
    timers_changed = true;
}

bool guest_timers_changed()
{
    bool const was = timers_changed;
    timers_changed = false;
    return was;
}

Hypercall_result hc_vcpu_op(Domain &self, arch::Vcpu &v, Args const &a)
{
    uint64_t const cmd = a.arg[0];
    uint64_t const vcpu = a.arg[1];
    uint64_t const arg = a.arg[2];
    if (vcpu != 0)
        return Hypercall_result::error(Errno::XEN_ENOENT); // one vCPU per domain
    Vcpu_extras &x = extras_of(self);
    switch (cmd) {
    case VCPUOP_IS_UP: return {1};
    case VCPUOP_REGISTER_VCPU_INFO: return register_vcpu_info(self, v, x, arg);
    case VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA: {
        // struct vcpu_register_runstate_memory_area { guest handle (a GVA) }. The runstate
        // (state 0 = running, times) is zero-filled: Ward does no steal-time accounting.
        uint64_t gva = 0;
        if (!read_guest(self, v, arg, &gva, sizeof gva))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        std::byte zeros[48] = {}; // struct vcpu_runstate_info
        if (gva != 0 && !write_guest(self, v, gva, zeros, sizeof zeros))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        x.runstate_gpa = gva;
        publish_guest_time(self);
        return {0};
    }
    case VCPUOP_STOP_PERIODIC_TIMER:
        timer::stop_periodic(x.timers);
        timers_changed = true;
        return {0};
    case VCPUOP_STOP_SINGLESHOT_TIMER:
        timer::stop_singleshot(x.timers);
        timers_changed = true;
        return {0};
    case VCPUOP_SET_SINGLESHOT_TIMER: {
        // struct vcpu_set_singleshot_timer { uint64_t timeout_abs_ns; uint32_t flags; }
        std::byte buf[16];
        if (!read_guest(self, v, arg, buf, sizeof buf))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        std::span<std::byte const> const b{buf};
        // VIRQ_TIMER fires at the deadline: the scheduler programs the local APIC for it.
        auto const r = timer::set_singleshot(x.timers, guest_now_ns(x), load_le<uint64_t>(b, 0),
                                             load_le<uint32_t>(b, 8));
        if (!r)
            return Hypercall_result::error(r.error());
        timers_changed = true;
        publish_guest_time(self);
        return {0};
    }
    case VCPUOP_REGISTER_VCPU_TIME_MEMORY_AREA:
    default: return Hypercall_result::error(Errno::XEN_ENOSYS);
    }
}

} // namespace hv::kernel
