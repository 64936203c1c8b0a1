// SPDX-License-Identifier: MIT
// A vCPU's Xen timers; see guest_timer.hpp.
#include "hv/guest_timer.hpp"

namespace hv::timer
{

Result<void, xen::Errno> set_singleshot(Vcpu_timers &t, uint64_t now_ns, uint64_t deadline_ns,
                                        uint32_t flags)
{
    if ((flags & ~SSHOT_FUTURE) != 0)
        return unexpected(xen::Errno::XEN_EINVAL);
    if ((flags & SSHOT_FUTURE) != 0 && deadline_ns < now_ns)
        return unexpected(xen::Errno::XEN_ETIME);
    // NONE is the "not armed" mark: the latest representable deadline stands in for it.
    t.singleshot_ns = deadline_ns == NONE ? NONE - 1 : deadline_ns;
    return ok;
}

void stop_singleshot(Vcpu_timers &t)
{
    t.singleshot_ns = NONE;
}

void stop_periodic(Vcpu_timers &t)
{
    t.periodic_next_ns = NONE;
}

uint64_t next_deadline(Vcpu_timers const &t)
{
    return t.singleshot_ns < t.periodic_next_ns ? t.singleshot_ns : t.periodic_next_ns;
}

bool expire(Vcpu_timers &t, uint64_t now_ns)
{
    bool due = false;
    if (t.singleshot_ns != NONE && t.singleshot_ns <= now_ns) {
        t.singleshot_ns = NONE;
        due = true;
    }
    if (t.periodic_next_ns != NONE && t.periodic_next_ns <= now_ns) {
        // Missed periods are not replayed: the next one is the first after now.
        uint64_t const period = t.period_ns != 0 ? t.period_ns : DEFAULT_PERIOD_NS;
        uint64_t const behind = (now_ns - t.periodic_next_ns) / period + 1;
        t.periodic_next_ns += behind * period;
        if (t.periodic_next_ns <= now_ns) // wrapped
            t.periodic_next_ns = NONE;
        due = true;
    }
    return due;
}

uint64_t ns_to_tsc(uint64_t ns, uint64_t tsc_per_us)
{
    if (ns == NONE)
        return NONE;
    uint64_t const us = ns / 1000;
    uint64_t const rest = ns % 1000;
    if (tsc_per_us != 0 && us > (NONE - 1) / tsc_per_us)
        return NONE;
    uint64_t const whole = us * tsc_per_us;
    uint64_t const part = (rest * tsc_per_us + 999) / 1000;
    return whole > NONE - part ? NONE : whole + part;
}

uint64_t next_interrupt_tsc(uint64_t now, uint64_t slice_end, uint64_t guest_deadline,
                            uint64_t min_delta, uint64_t slack)
{
    bool const carried = guest_deadline != NONE && guest_deadline - slice_end <= slack;
    uint64_t const target = guest_deadline < slice_end || carried ? guest_deadline : slice_end;
    uint64_t const earliest = now > NONE - min_delta ? NONE : now + min_delta;
    return target < earliest ? earliest : target;
}

} // namespace hv::timer
