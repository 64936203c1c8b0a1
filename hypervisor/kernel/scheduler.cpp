// SPDX-License-Identifier: MIT
// Scheduler loop (see scheduler.hpp): hv core's round-robin policy (hv/scheduler.hpp) per CPU,
// fed by the local APIC timer, the hypercalls and the exits.
#include "kernel/scheduler.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "kernel/channels.hpp"
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
    __atomic_add_fetch(&c.ticks, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&c.tick, true, __ATOMIC_RELAXED);
    platform::lapic_eoi();
}

// Blocked domains wait for an event; until event channels exist, the timer tick is the event.
void wake_blocked()
{
    for (Domain &d : domains())
        if (d.state == Domain_state::BLOCKED)
            sched_wake(d);
}

// Handles a pending tick; true when the current vCPU's slice is over and another one waits.
bool take_tick(Cpu_local &c)
{
    if (!__atomic_exchange_n(&c.tick, false, __ATOMIC_RELAXED))
        return false;
    wake_blocked();
    return c.run_queue.tick(__atomic_load_n(&c.ticks, __ATOMIC_RELAXED));
}

// Domains that can still run on their own (paused ones need someone to unpause them).
bool any_schedulable()
{
    for (Domain const &d : domains())
        if (d.state == Domain_state::RUNNABLE || d.state == Domain_state::BLOCKED)
            return true;
    return false;
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
        channels_before_entry(d, *d.vcpu); // event upcall, VIRQ_TIMER
        arch::Exit const e = d.vcpu->run(c.index);
        ++d.stats.exits;
        if (e.reason == arch::Exit_reason::HYPERCALL && bench &&
            (d.vcpu->reg(arch::Reg::RAX) & 0xffffffffu) == WARD_HC_BENCH_NOP) {
            d.vcpu->skip_instruction(); // the bare exit of the benchmark: no dispatch at all
            continue;
        }
        After const a =
            e.reason == arch::Exit_reason::INTERRUPT ? After::RESUME : handle_exit(d, *d.vcpu, e);
        if (a == After::YIELD)
            c.run_queue.yield();
        if (a != After::RESUME)
            break;
        if (take_tick(c)) {
            ++d.stats.preemptions;
            break;
        }
    }
    d.running = false;
    c.current = nullptr;
}

Cpu_local &owner(Domain const &d)
{
    return cpus[d.entity.cpu];
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

void sched_add(Domain &d, unsigned cpu)
{
    d.entity.domain = &d;
    d.entity.cpu = cpu;
    d.state = Domain_state::RUNNABLE;
    (void)owner(d).run_queue.add(d.entity); // a fresh entity: cannot be in the queue already
}

void sched_block(Domain &d, Domain_state why)
{
    d.state = why;
    (void)owner(d).run_queue.block(d.entity); // alive domains are always added
}

void sched_wake(Domain &d)
{
    d.state = Domain_state::RUNNABLE;
    (void)owner(d).run_queue.wake(d.entity);
}

void sched_remove(Domain &d)
{
    owner(d).run_queue.remove(d.entity);
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
    for (;;) {
        take_tick(c);
        sched::Entity *const e = c.run_queue.pick_next(__atomic_load_n(&c.ticks, __ATOMIC_RELAXED));
        if (e != nullptr) {
            run_slice(c, *static_cast<Vcpu_entity *>(e)->domain);
            continue;
        }
        if (!any_schedulable())
            return; // every domain ended (or only paused ones are left, which nobody can wake)
        x86::idle_wait(); // nothing runnable: sleep until the next tick
    }
}

} // namespace hv::kernel
