// SPDX-License-Identifier: MIT
// The kernel side of the guests' Xen timers (hv/guest_timer.hpp; state kept with the vCPU's
// other extras in hc_vcpu_op.cpp): the scheduler asks for the earliest deadline to program the
// local APIC one-shot, and fires what is due. Spec: docs/linux-guest.md section "Timers".
#pragma once

#include <cstdint>

#include "kernel/domain.hpp"

namespace hv::kernel
{

// The domain's earliest timer deadline in host TSC cycles; ~0 when none is armed, or when
// VIRQ_TIMER is not bound to a port: then its expiry raises nothing (as in Xen), and no host
// interrupt is spent on it (Xen's default 100 Hz periodic timer runs from the domain's start,
// and Linux binds VIRQ_TIMER only in time_init). Binding it counts as a timer change.
uint64_t guest_timer_deadline_tsc(Domain &d);
// Raises VIRQ_TIMER if one of its timers is due, waking the domain if it sleeps.
void guest_timer_fire(Domain &d);
// True once after a guest changed one of its timers (the APIC deadline may have to move).
bool guest_timers_changed();
// Notes such a change from elsewhere (a bind of VIRQ_TIMER).
void guest_timers_touch();

} // namespace hv::kernel
