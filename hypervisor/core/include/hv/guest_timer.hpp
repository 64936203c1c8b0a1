// SPDX-License-Identifier: MIT
// A vCPU's Xen timers, pure: the periodic timer (on at 100 Hz until VCPUOP_stop_periodic_timer,
// as Xen does for a new vCPU) and the single-shot timer of VCPUOP_set_singleshot_timer, both
// raising VIRQ_TIMER when due. Times are the guest's system time in nanoseconds (its pvclock);
// the kernel turns the earliest deadline into a local APIC one-shot. Spec: docs/linux-guest.md
// section "Timers".
#pragma once

#include <cstdint>

#include "hv/result.hpp"
#include "hv/xen_abi.hpp"

namespace hv::timer
{

inline constexpr uint64_t NONE = ~uint64_t{0};
inline constexpr uint64_t DEFAULT_PERIOD_NS = 10'000'000; // Xen's default periodic timer
inline constexpr uint32_t SSHOT_FUTURE = 1;               // VCPU_SSHOTTMR_future

struct Vcpu_timers
{
    uint64_t singleshot_ns = NONE; // NONE: not armed
    uint64_t periodic_next_ns = 0; // next periodic expiry (0: at once); NONE: stopped
    uint64_t period_ns = DEFAULT_PERIOD_NS;
};

// VCPUOP_set_singleshot_timer at guest time `now_ns`: unknown flags are EINVAL; with
// VCPU_SSHOTTMR_future a deadline already passed is ETIME and nothing is armed. Otherwise the
// deadline replaces any armed one; one in the past fires at once.
Result<void, xen::Errno> set_singleshot(Vcpu_timers &t, uint64_t now_ns, uint64_t deadline_ns,
                                        uint32_t flags);
void stop_singleshot(Vcpu_timers &t);
void stop_periodic(Vcpu_timers &t);

// The earliest armed deadline, or NONE.
uint64_t next_deadline(Vcpu_timers const &t);

// At guest time `now_ns`: true when VIRQ_TIMER is due (one VIRQ however many expiries passed).
// A due single-shot disarms; a due periodic timer moves to its next period after `now_ns`.
bool expire(Vcpu_timers &t, uint64_t now_ns);

// Guest nanoseconds to TSC cycles at `tsc_per_us`, rounded up (a deadline is never early in
// TSC terms), saturating at NONE.
uint64_t ns_to_tsc(uint64_t ns, uint64_t tsc_per_us);

// The next timer interrupt of a CPU: the earlier of the slice end and a guest deadline (both
// TSC), never before `now` + `min_delta` (the time to reprogram and take it). A slice end may
// wait up to `slack` for a guest deadline just after it, so that one interrupt serves both: a
// busy Linux guest ticks every 4 ms, and its ticks then carry the 10 ms slice ends too.
uint64_t next_interrupt_tsc(uint64_t now, uint64_t slice_end, uint64_t guest_deadline,
                            uint64_t min_delta, uint64_t slack = 0);

} // namespace hv::timer
