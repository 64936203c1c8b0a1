// SPDX-License-Identifier: MIT
// Per-CPU kernel state. Each CPU runs its own scheduler loop over the shared domain table; the
// domain it runs is per-CPU (there is no global "current vCPU").
#pragma once

#include <cstddef>
#include <cstdint>

#include "hv/scheduler.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

struct Cpu_local
{
    unsigned index = 0;
    uint32_t apic_id = 0;
    Domain *current = nullptr;
    // Set by the timer interrupt (a slice end or a guest timer deadline). (__atomic builtins:
    // <atomic> drags in <cerrno>, whose macros clash with hv::xen::Errno.)
    bool tick = false;
    uint64_t ticks = 0;              // slices elapsed (the round-robin's time unit)
    uint64_t next_slice_tsc = 0;     // when the next slice tick is due
    uint64_t armed_tsc = 0;          // when the APIC one-shot is armed to fire
    sched::Round_robin run_queue{1}; // hv core's policy; a slice is one timer period
};

Cpu_local &cpu_local(unsigned index);
// The calling CPU's state (found by its local APIC id).
Cpu_local &this_cpu();

} // namespace hv::kernel
