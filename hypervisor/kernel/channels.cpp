// SPDX-License-Identifier: MIT
// Per-domain channel state and its life cycle; see channels.hpp and docs/channels.md.
#include "kernel/channels.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/kernel.hpp"
#include "kernel/memory.hpp"
#include "kernel/scheduler.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

std::array<Domain_channels, MAX_DOMAINS> state;
uint64_t zero_page_pa = 0; // stands in, read-only, for the frames of a granter that died

constexpr uint64_t TIMER_VIRQ_PERIOD_US = 10000; // Xen's default periodic timer: 100 Hz

size_t slot_of(Domain const &d)
{
    return static_cast<size_t>(&d - domains().data());
}

Domain *live_domain(uint16_t id)
{
    Domain *d = find_domain(id);
    return d != nullptr && d->alive() && channels(*d).active ? d : nullptr;
}

} // namespace

Domain_channels &channels(Domain const &d)
{
    return state[slot_of(d)];
}

evtchn::Event_channels *evtchn_of(uint16_t domid)
{
    Domain *d = live_domain(domid);
    return d != nullptr ? &*channels(*d).evtchn : nullptr;
}

gnttab::Grant_table *grants_of(uint16_t domid)
{
    Domain *d = live_domain(domid);
    return d != nullptr ? &*channels(*d).grants : nullptr;
}

void deliver(evtchn::Notify const &n)
{
    if (!n.upcall || n.target == nullptr)
        return;
    Domain *d = find_domain(n.target->self());
    if (d != nullptr && d->state == Domain_state::BLOCKED)
        sched_wake(*d);
}

bool channels_domain_started(Domain &d)
{
    Domain_channels &c = channels(d);
    c.evtchn.reset();
    c.grants.reset();
    c.maptrack.reset();
    c.shadow = {};
    c.params = {};
    c.upcall_vector = 0;
    c.shared_info_gpa = ~uint64_t{0};
    c.vcpu_info_gpa = ~uint64_t{0};
    c.gnttab_gpa.fill(~uint64_t{0});
    c.upcalls = c.sends = 0;
    c.next_timer_tsc = 0;
    c.active = false;
    if (!acm_admit(d, c.acm_label))
        return false;
    auto const frame = alloc_zeroed(GNTTAB_ORDER);
    if (!frame) {
        log("ward: domain %u '%s': no memory for its grant table\n", d.id, d.name.c_str());
        acm_release(d, c.acm_label);
        return false;
    }
    if (zero_page_pa == 0) {
        auto const z = alloc_zeroed(0);
        if (!z) {
            (void)frames().free(*frame, GNTTAB_ORDER);
            acm_release(d, c.acm_label);
            return false;
        }
        zero_page_pa = *z;
    }
    c.gnttab_pa = *frame;
    c.evtchn.emplace(d.id, 1);
    c.grants.emplace(d.id,
                     std::span<gnttab::Grant_entry_v1>{
                         x86::phys_to_virt<gnttab::Grant_entry_v1>(*frame), GNTTAB_ENTRIES},
                     d.mem_bytes / PAGE_SIZE);
    c.maptrack.emplace(d.id);
    c.active = true;
    return true;
}

void channels_domain_ending(Domain &d)
{
    Domain_channels &c = channels(d);
    if (!c.active)
        return;
    // Its interdomain peers get one last event, so a peer waiting on the channel wakes up and
    // finds its port unbound (EVTCHNSTAT_unbound) and the ring's live flag gone.
    for (evtchn::Port p = 1; p < evtchn::MAX_PORTS; ++p)
        if (c.evtchn->state(p) == evtchn::State::INTERDOMAIN)
            if (auto const n = c.evtchn->send(p, evtchn_of); n)
                deliver(*n);
    c.evtchn->close_all(evtchn_of);
    // Its own mappings: unpin the granters' entries (its address space goes away next).
    c.maptrack->release_all(
        [&](uint16_t granter) -> gnttab::Grant_table * {
            for (auto const &s : c.shadow)
                if (s.used && s.revoked && s.granter == granter)
                    return nullptr;
            return grants_of(granter);
        },
        [](gnttab::Mapping const &) {});
    unsigned own = 0;
    for (auto &s : c.shadow) {
        own += s.used ? 1 : 0;
        s = {};
    }
    // Others' mappings of its frames: its memory is about to be freed, so each such mapping
    // now shows a read-only zero page (the live flags of a vchan ring read as 0: disconnected).
    unsigned revoked = 0;
    for (Domain &o : domains()) {
        if (&o == &d || !o.alive() || !channels(o).active || o.space == nullptr)
            continue;
        for (auto &s : channels(o).shadow) {
            if (!s.used || s.revoked || s.granter != d.id)
                continue;
            o.space->unmap(s.gpa, PAGE_SIZE);
            if (auto const r = o.space->map(s.gpa, zero_page_pa, PAGE_SIZE, arch::Stage2::READ); !r)
                log("ward: domain %u: cannot place the zero page at 0x%llx: %s\n", o.id,
                    static_cast<unsigned long long>(s.gpa), arch::error_name(r.error()));
            s.revoked = true;
            ++revoked;
        }
    }
    if (own != 0 || revoked != 0)
        log("ward: domain %u '%s' ended: %u grant mapping(s) of its own torn down, %u of its "
            "frames revoked from other domains\n",
            d.id, d.name.c_str(), own, revoked);
    for (uint64_t &gpa : c.gnttab_gpa) {
        if (d.space != nullptr && gpa != ~uint64_t{0})
            d.space->unmap(gpa, PAGE_SIZE);
        gpa = ~uint64_t{0};
    }
    (void)frames().free(c.gnttab_pa, GNTTAB_ORDER);
    c.gnttab_pa = 0;
    c.grants.reset();
    acm_release(d, c.acm_label);
    c.active = false;
}

void channels_before_entry(Domain &d, arch::Vcpu &v)
{
    Domain_channels &c = channels(d);
    if (!c.active)
        return;
    uint64_t const now = x86::rdtsc();
    if (now >= c.next_timer_tsc) {
        c.next_timer_tsc = now + TIMER_VIRQ_PERIOD_US * tsc_per_us();
        (void)c.evtchn->raise_virq(evtchn::VIRQ_TIMER, 0);
    }
    if (c.upcall_vector == 0 || c.shared_info_gpa == ~uint64_t{0})
        return;
    uint64_t hpa = 0;
    if (!d.gpa_to_hpa(c.vcpu_info_gpa != ~uint64_t{0} ? c.vcpu_info_gpa : c.shared_info_gpa, hpa))
        return;
    auto const *vi = x86::phys_to_virt<evtchn::Vcpu_events const>(hpa);
    if (__atomic_load_n(&vi->upcall_pending, __ATOMIC_ACQUIRE) == 0 ||
        (v.reg(arch::Reg::RFLAGS) & (1u << 9)) == 0)
        return;
    v.inject({arch::Event::Type::EXTERNAL_INTERRUPT, c.upcall_vector, false, 0});
    ++c.upcalls;
}

} // namespace hv::kernel
