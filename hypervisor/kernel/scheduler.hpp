// SPDX-License-Identifier: MIT
// The scheduler loop of one CPU: preemptive round-robin across runnable domains, driven by the
// local APIC timer; HLT when nothing is runnable; returns when every domain has ended.
#pragma once

#include "kernel/domain.hpp"

namespace hv::kernel
{

// Installs the timer interrupt handler. Call once before the first run().
void scheduler_init();

// Domain state changes go through these, which keep the run queue of the domain's CPU in step.
void sched_add(Domain &d, unsigned cpu);       // a new domain becomes RUNNABLE
void sched_block(Domain &d, Domain_state why); // BLOCKED (waits for an event) or PAUSED
void sched_wake(Domain &d);                    // back to RUNNABLE
void sched_remove(Domain &d);                  // the domain has ended

void scheduler_run(unsigned cpu);

} // namespace hv::kernel
