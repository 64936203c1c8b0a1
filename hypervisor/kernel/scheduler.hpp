// SPDX-License-Identifier: MIT
// The scheduler loop of one CPU: preemptive round-robin across runnable domains, driven by the
// local APIC timer; HLT when nothing is runnable; returns when every domain has ended.
#pragma once

namespace hv::kernel
{

// Installs the timer interrupt handler. Call once before the first run().
void scheduler_init();

void scheduler_run(unsigned cpu);

} // namespace hv::kernel
