// SPDX-License-Identifier: MIT
// Scheduler loop (see scheduler.hpp): hv core's round-robin policy (hv/scheduler.hpp) per CPU,
// fed by the local APIC timer, the hypercalls and the exits. The APIC timer is one-shot, armed
// for the earlier of the slice end and the guests' earliest timer deadline (guest_timer.hpp), so
// VIRQ_TIMER comes at a guest's deadline and a CPU with nothing to run sleeps until then.
#include "kernel/scheduler.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/fpu.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "hv/guest_timer.hpp"
#include "kernel/channels.hpp"
#include "kernel/console_poll.hpp"
#include "kernel/cpu_local.hpp"
#include "kernel/guest_timer.hpp"
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

// Guest FPU state per domain slot; `fpu_ids` tells a reused slot from its previous domain.
x86::Fpu_state fpu_states[MAX_DOMAINS];
uint16_t fpu_ids[MAX_DOMAINS];
Domain *fpu_owner = nullptr; // whose state is on the CPU (single CPU for now)
uint16_t fpu_owner_id = 0;

// Before `d` runs: the previous guest's FPU/SSE/AVX state goes to its slot, d's comes back.
void fpu_take(Domain &d)
{
    if (fpu_owner == &d && fpu_owner_id == d.id)
        return;
    size_t const slot = static_cast<size_t>(&d - domains().data());
    if (fpu_ids[slot] != d.id) {
        fpu_ids[slot] = d.id;
        fpu_states[slot].valid = false;
    }
    x86::Fpu_state *out = nullptr;
    if (fpu_owner != nullptr && fpu_owner->alive() && fpu_owner->id == fpu_owner_id)
        out = &fpu_states[static_cast<size_t>(fpu_owner - domains().data())];
    x86::fpu_switch(out, fpu_states[slot]);
    fpu_owner = &d;
    fpu_owner_id = d.id;
}

// Time to reprogram the APIC and take its interrupt: an earlier deadline is served that late.
constexpr uint64_t MIN_ARM_US = 20;

void on_timer(x86::Interrupt_frame &)
{
    Cpu_local &c = this_cpu();
    __atomic_store_n(&c.tick, true, __ATOMIC_RELAXED);
    platform::lapic_eoi();
}

// Domains that poll for events (no upcall vector) wait in SCHEDOP_block or HLT until the next
// scheduler tick; domains with an upcall vector are woken by their events and timers.
void wake_polling()
{
    for (Domain &d : domains())
        if (d.state == Domain_state::BLOCKED && !channels_wake_by_event(d))
            sched_wake(d);
}

// Arms the APIC one-shot for the earlier of this CPU's slice end and the guests' deadlines (a
// slice end waits up to half a slice for a guest deadline just after it: one interrupt for both).
void arm_timer(Cpu_local &c, uint64_t now)
{
    uint64_t deadline = timer::NONE;
    for (Domain &d : domains())
        if (d.alive() && d.entity.cpu == c.index) {
            uint64_t const t = guest_timer_deadline_tsc(d);
            deadline = t < deadline ? t : deadline;
        }
    uint64_t const target =
        timer::next_interrupt_tsc(now, c.next_slice_tsc, deadline, MIN_ARM_US * tsc_per_us(),
                                  uint64_t{options().slice_us} / 2 * tsc_per_us());
    if (target == c.armed_tsc && c.armed_tsc > now)
        return; // already armed for it
    c.armed_tsc = target;
    platform::lapic_timer_arm(target - now);
}

// Handles a timer interrupt: guest timers that are due raise VIRQ_TIMER; at a slice end the
// round-robin tick. True when the current vCPU's slice is over and another one waits.
bool take_tick(Cpu_local &c)
{
    if (!__atomic_exchange_n(&c.tick, false, __ATOMIC_RELAXED))
        return false;
    uint64_t const now = x86::rdtsc();
    for (Domain &d : domains())
        if (d.alive() && d.entity.cpu == c.index)
            guest_timer_fire(d);
    bool resched = false;
    if (now >= c.next_slice_tsc) {
        c.next_slice_tsc = now + uint64_t{options().slice_us} * tsc_per_us();
        uint64_t const ticks = __atomic_add_fetch(&c.ticks, 1, __ATOMIC_RELAXED);
        wake_polling();
        if (c.index == 0)
            console_poll_serial(); // typed input to the domain with console focus
        resched = c.run_queue.tick(ticks);
    }
    (void)guest_timers_changed();
    arm_timer(c, x86::rdtsc());
    return resched;
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
    fpu_take(d);
    if (d.stats.exits == 0)
        log("ward: entering domain %u '%s' (tsc %llu)\n", d.id, d.name.c_str(),
            static_cast<unsigned long long>(x86::rdtsc()));
    bool const bench = options().bench;
    uint64_t resumed = x86::rdtsc();
    for (;;) {
        channels_before_entry(d, *d.vcpu); // event upcall, VIRQ_TIMER
        uint64_t const entered = x86::rdtsc();
        arch::Exit const e = d.vcpu->run(c.index);
        uint64_t const exited = x86::rdtsc();
        ++d.stats.exits;
        if (e.reason == arch::Exit_reason::HYPERCALL && bench &&
            (d.vcpu->reg(arch::Reg::RAX) & 0xffffffffu) == WARD_HC_BENCH_NOP) {
            d.vcpu->skip_instruction(); // the bare exit of the benchmark: no dispatch at all
            continue;
        }
        uint64_t const nr = e.reason == arch::Exit_reason::HYPERCALL
                                ? d.vcpu->reg(arch::Reg::RAX) & 0xffffffffu
                                : 0;
        After const a =
            e.reason == arch::Exit_reason::INTERRUPT ? After::RESUME : handle_exit(d, *d.vcpu, e);
        uint64_t const handled = x86::rdtsc();
        d.stats.detail.record(e, nr, exited - entered, handled - exited + (entered - resumed));
        resumed = handled;
        if (a == After::YIELD)
            c.run_queue.yield();
        if (guest_timers_changed())
            arm_timer(c, x86::rdtsc()); // a guest moved its deadline
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
    // Xen's SCHEDOP_block and HLT: an event already pending means there is nothing to wait for
    // (it is injected at the next entry); blocking would sleep through it.
    if (why == Domain_state::BLOCKED && channels_wake_by_event(d) && channels_upcall_pending(d))
        return;
    d.state = why;
    d.stats.detail.blocked_since = x86::rdtsc();
    (void)owner(d).run_queue.block(d.entity); // alive domains are always added
}

void sched_wake(Domain &d)
{
    if (d.stats.detail.blocked_since != 0) {
        d.stats.detail.blocked_tsc += x86::rdtsc() - d.stats.detail.blocked_since;
        d.stats.detail.blocked_since = 0;
    }
    d.state = Domain_state::RUNNABLE;
    (void)owner(d).run_queue.wake(d.entity);
}

void sched_remove(Domain &d)
{
    owner(d).run_queue.remove(d.entity);
}

void scheduler_init()
{
    bool fpu_ok = false;
    char const *const fpu = x86::fpu_init(fpu_ok);
    log("ward: guest FPU state switched with %s\n", fpu);
    x86::set_irq_handler(x86::VECTOR_TIMER, on_timer);
    for (Cpu_local &c : cpus)
        c.next_slice_tsc = x86::rdtsc() + uint64_t{options().slice_us} * tsc_per_us();
    x86::set_irq_handler(x86::VECTOR_SPURIOUS, [](x86::Interrupt_frame &) {});
}

void scheduler_run(unsigned cpu)
{
    Cpu_local &c = cpus[cpu];
    c.index = cpu;
    c.apic_id = platform::lapic_id();
    end_lone_service_domains(); // a system built with service domains only has nothing to run
    for (;;) {
        take_tick(c);
        sched::Entity *const e = c.run_queue.pick_next(__atomic_load_n(&c.ticks, __ATOMIC_RELAXED));
        if (e != nullptr) {
            run_slice(c, *static_cast<Vcpu_entity *>(e)->domain);
            end_lone_service_domains();
            continue;
        }
        if (!any_schedulable())
            return; // every domain ended (or only paused ones are left, which nobody can wake)
        x86::idle_wait(); // nothing runnable: sleep until the next deadline or slice tick
    }
}

} // namespace hv::kernel
