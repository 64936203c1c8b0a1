// SPDX-License-Identifier: MIT
// The kernel side of the guests' Xen timers (hv/guest_timer.hpp; state kept with the vCPU's
// other extras in hc_vcpu_op.cpp): the scheduler asks for the earliest deadline to program the
// local APIC one-shot, and fires what is due. Spec: docs/linux-guest.md section "Timers".
#pragma once

#include <cstdint>

#include "kernel/domain.hpp"

namespace hv::kernel
{

// The domain's earliest timer deadline in host TSC cycles; ~0 when none is armed (or the
// domain has no event channels to take VIRQ_TIMER).
uint64_t guest_timer_deadline_tsc(Domain &d);
// Raises VIRQ_TIMER if one of its timers is due, waking the domain if it sleeps.
void guest_timer_fire(Domain &d);
// True once after a guest changed one of its timers (the APIC deadline may have to move).
bool guest_timers_changed();

} // namespace hv::kernel
