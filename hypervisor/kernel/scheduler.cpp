// SPDX-License-Identifier: MIT
// Scheduler loop (see scheduler.hpp).
#include "kernel/scheduler.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "kernel/cpu_local.hpp"
#include "kernel/kernel.hpp"
#include "kernel/vcpu_exit.hpp"
#include "platform/lapic.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{
namespace
{

Cpu_local cpus[MAX_CPUS];

void on_timer(x86::Interrupt_frame &)
{
    Cpu_local &c = this_cpu();
    ++c.ticks;
    __atomic_store_n(&c.tick, true, __ATOMIC_RELAXED);
    platform::lapic_eoi();
}

// Blocked domains wait for an event; until event channels exist, the timer tick is the event.
void wake_blocked()
{
    for (Domain &d : domains())
        if (d.state == Domain_state::BLOCKED)
            d.state = Domain_state::RUNNABLE;
}

// Domains that can still run on their own (paused ones need someone to unpause them).
bool any_schedulable()
{
    for (Domain const &d : domains())
        if (d.state == Domain_state::RUNNABLE || d.state == Domain_state::BLOCKED)
            return true;
    return false;
}

// Round-robin policy: the next runnable domain after the cursor.
Domain *pick_next(Cpu_local &c)
{
    auto &table = domains();
    for (size_t n = 0; n < table.size(); ++n) {
        size_t const i = (c.cursor + 1 + n) % table.size();
        Domain &d = table[i];
        if (d.state == Domain_state::RUNNABLE && !d.running) {
            c.cursor = i;
            return &d;
        }
    }
    return nullptr;
}

void run_slice(Cpu_local &c, Domain &d)
{
    c.current = &d;
    d.running = true;
    if (d.stats.exits == 0)
        log("ward: entering domain %u '%s' (tsc %llu)\n", d.id, d.name.c_str(),
            static_cast<unsigned long long>(x86::rdtsc()));
    bool const bench = options().bench;
    for (;;) {
        arch::Exit const e = d.vcpu->run(c.index);
        ++d.stats.exits;
        if (e.reason == arch::Exit_reason::HYPERCALL && bench &&
            (d.vcpu->reg(arch::Reg::RAX) & 0xffffffffu) == WARD_HC_BENCH_NOP) {
            d.vcpu->skip_instruction(); // the bare exit of the benchmark: no dispatch at all
            continue;
        }
        After const a =
            e.reason == arch::Exit_reason::INTERRUPT ? After::RESUME : handle_exit(d, *d.vcpu, e);
        if (a != After::RESUME)
            break;
        if (__atomic_load_n(&c.tick, __ATOMIC_RELAXED)) {
            ++d.stats.preemptions;
            break;
        }
    }
    d.running = false;
    c.current = nullptr;
}

} // namespace

Cpu_local &cpu_local(unsigned index)
{
    return cpus[index];
}

Cpu_local &this_cpu()
{
    uint32_t const id = platform::lapic_id();
    for (Cpu_local &c : cpus)
        if (c.apic_id == id)
            return c;
    return cpus[0];
}

void scheduler_init()
{
    x86::set_irq_handler(x86::VECTOR_TIMER, on_timer);
    x86::set_irq_handler(x86::VECTOR_SPURIOUS, [](x86::Interrupt_frame &) {});
}

void scheduler_run(unsigned cpu)
{
    Cpu_local &c = cpus[cpu];
    c.index = cpu;
    c.apic_id = platform::lapic_id();
    c.cursor = domains().size() - 1; // the first pick is the first domain
    for (;;) {
        if (__atomic_exchange_n(&c.tick, false, __ATOMIC_RELAXED))
            wake_blocked();
        Domain *const d = pick_next(c);
        if (d != nullptr) {
            run_slice(c, *d);
            continue;
        }
        if (!any_schedulable())
            return; // every domain ended (or only paused ones are left, which nobody can wake)
        x86::idle_wait(); // nothing runnable: sleep until the next tick
    }
}

} // namespace hv::kernel
