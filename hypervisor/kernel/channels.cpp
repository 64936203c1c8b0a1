// SPDX-License-Identifier: MIT
// Per-domain channel state and its life cycle; see channels.hpp and docs/channels.md.
#include "kernel/channels.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/charged_pages.hpp"
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

constexpr uint64_t GNTTAB_CHARGE = uint64_t{1} << GNTTAB_ORDER; // frames of one grant table

// Puts the read-only zero page at `gpa` of `d` in place of whatever frame was there.
void show_zero_page(Domain &d, uint64_t gpa)
{
    d.space->unmap(gpa, PAGE_SIZE);
    if (auto const r = d.space->map(gpa, zero_page_pa, PAGE_SIZE, arch::Stage2::READ); !r)
        log("ward: domain %u: cannot place the zero page at 0x%llx: %s\n", d.id,
            static_cast<unsigned long long>(gpa), arch::error_name(r.error()));
}

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
    c.active = false;
    if (!acm_admit(d, c.acm_label))
        return false;
    // The grant table's frames are the domain's: charged to its account like its RAM.
    if (auto const r = d.account.charge(GNTTAB_CHARGE); !r) {
        log("ward: domain %u '%s': its grant table (%u frames) is over its memory account (%llu "
            "of %llu frames in use)\n",
            d.id, d.name.c_str(), static_cast<unsigned>(GNTTAB_CHARGE),
            static_cast<unsigned long long>(d.account.used()),
            static_cast<unsigned long long>(d.account.limit()));
        acm_release(d, c.acm_label);
        return false;
    }
    auto const frame = alloc_zeroed(GNTTAB_ORDER);
    if (!frame) {
        log("ward: domain %u '%s': no memory for its grant table\n", d.id, d.name.c_str());
        (void)d.account.uncharge(GNTTAB_CHARGE);
        acm_release(d, c.acm_label);
        return false;
    }
    if (zero_page_pa == 0) { // the hypervisor's own, shared by all: charged to no domain
        auto const z = alloc_zeroed(0);
        if (!z) {
            (void)frames().free(*frame, GNTTAB_ORDER);
            (void)d.account.uncharge(GNTTAB_CHARGE);
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
    // Its own mappings: unpin the granters' entries (its address space goes away next); a
    // revoked mapping pins nothing any more.
    for (gnttab::Handle h = 0; h < gnttab::MAX_MAPS; ++h) {
        Map_shadow const s = c.shadow[h];
        (void)c.maptrack->unmap(h, [&](uint16_t granter) -> gnttab::Grant_table * {
            return s.used && s.revoked ? nullptr : grants_of(granter);
        });
    }
    unsigned own = 0;
    for (auto &s : c.shadow) {
        own += s.used ? 1 : 0;
        channels_drop_private_page(d, s);
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
            show_zero_page(o, s.gpa);
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
    if (auto const r = d.account.uncharge(GNTTAB_CHARGE); !r)
        log("ward: BUG: domain %u: grant table: %s\n", d.id, Memory_account::error_name(r.error()));
    c.gnttab_pa = 0;
    c.grants.reset();
    acm_release(d, c.acm_label);
    c.active = false;
}

bool channels_revoked_write(Domain &d, uint64_t gpa)
{
    Domain_channels &c = channels(d);
    if (!c.active || d.space == nullptr)
        return false;
    uint64_t const page = gpa & ~uint64_t{PAGE_SIZE - 1};
    for (Map_shadow &s : c.shadow) {
        if (!s.used || !s.revoked || s.gpa != page || s.private_pa != 0)
            continue;
        if (!d.account.charge(1)) {
            log("ward: domain %u '%s': write to revoked grant mapping at 0x%llx: no memory left "
                "in its account for a private page\n",
                d.id, d.name.c_str(), static_cast<unsigned long long>(page));
            return false;
        }
        auto const pa = alloc_zeroed(0);
        if (!pa) {
            (void)d.account.uncharge(1);
            return false;
        }
        d.space->unmap(page, PAGE_SIZE);
        Charge_scope const charge{d.account}; // a page table, should one be needed
        if (!d.space->map(page, *pa, PAGE_SIZE, arch::Stage2::READ | arch::Stage2::WRITE)) {
            show_zero_page(d, page); // as before
            (void)frames().free(*pa, 0);
            (void)d.account.uncharge(1);
            return false;
        }
        s.private_pa = *pa;
        log("ward: domain %u '%s' wrote to revoked grant mapping at 0x%llx: a private page of "
            "its own stands in\n",
            d.id, d.name.c_str(), static_cast<unsigned long long>(page));
        return true;
    }
    return false;
}

void channels_drop_private_page(Domain &d, Map_shadow &s)
{
    if (s.private_pa == 0)
        return;
    (void)frames().free(s.private_pa, 0);
    if (auto const r = d.account.uncharge(1); !r)
        log("ward: BUG: domain %u: private page: %s\n", d.id,
            Memory_account::error_name(r.error()));
    s.private_pa = 0;
}

namespace
{

// Severs one interdomain port of `d` whose peer the policy no longer allows.
bool revoke_port(Domain &d, evtchn::Port p)
{
    Domain_channels &c = channels(d);
    if (c.evtchn->state(p) != evtchn::State::INTERDOMAIN)
        return false;
    auto const st = c.evtchn->status(p);
    if (!st || st->dom == d.id)
        return false;
    Domain *o = live_domain(st->dom);
    if (o == nullptr || acm_link_allowed(d, *o))
        return false;
    auto const s = c.evtchn->sever(p, evtchn_of);
    if (!s)
        return false;
    deliver(s->self);
    deliver(s->peer);
    log("ward: acm: revoked event channel between domain %u '%s' (label %s) port %u and domain "
        "%u '%s' (label %s) port %u\n",
        d.id, d.name.c_str(), d.label.c_str(), p, o->id, o->name.c_str(), o->label.c_str(),
        st->port);
    return true;
}

// Ends grant mapping `h` of `d` if the policy no longer allows it: the granter's entry is
// unpinned (its GTF_reading/GTF_writing clear) and a read-only zero page replaces the frame in
// d's address space until d unmaps the handle.
bool revoke_mapping(Domain &d, gnttab::Handle h)
{
    Domain_channels &c = channels(d);
    Map_shadow &s = c.shadow[h];
    if (!s.used || s.revoked)
        return false;
    Domain *g = live_domain(s.granter);
    if (g == nullptr || acm_link_allowed(d, *g))
        return false;
    uint32_t ref = 0;
    bool found = false, readonly = true;
    c.maptrack->for_each([&](gnttab::Handle k, gnttab::Mapping const &m) {
        if (k == h) {
            ref = m.ref;
            readonly = m.readonly;
            found = true;
        }
    });
    if (!found)
        return false;
    channels(*g).grants->unpin(ref, readonly);
    if (d.space != nullptr)
        show_zero_page(d, s.gpa);
    s.revoked = true;
    log("ward: acm: revoked grant mapping of domain %u '%s' (label %s) at 0x%llx of grant %u of "
        "domain %u '%s' (label %s)\n",
        d.id, d.name.c_str(), d.label.c_str(), static_cast<unsigned long long>(s.gpa), ref, g->id,
        g->name.c_str(), g->label.c_str());
    return true;
}

} // namespace

uint32_t channels_policy_changed()
{
    uint32_t revoked = 0;
    for (Domain &d : domains()) {
        if (!d.alive() || !channels(d).active)
            continue;
        for (evtchn::Port p = 1; p < evtchn::MAX_PORTS; ++p)
            revoked += revoke_port(d, p) ? 1 : 0;
        for (gnttab::Handle h = 0; h < gnttab::MAX_MAPS; ++h)
            revoked += revoke_mapping(d, h) ? 1 : 0;
    }
    return revoked;
}

namespace
{

// vCPU 0's vcpu_info as the guest sees it now (moved or still in shared_info); null if none.
evtchn::Vcpu_events const *vcpu_events(Domain const &d, Domain_channels const &c)
{
    if (!c.active || c.shared_info_gpa == ~uint64_t{0})
        return nullptr;
    uint64_t hpa = 0;
    if (!d.gpa_to_hpa(c.vcpu_info_gpa != ~uint64_t{0} ? c.vcpu_info_gpa : c.shared_info_gpa, hpa))
        return nullptr;
    return x86::phys_to_virt<evtchn::Vcpu_events const>(hpa);
}

} // namespace

bool channels_upcall_pending(Domain const &d)
{
    Domain_channels const &c = channels(d);
    auto const *vi = vcpu_events(d, c);
    return vi != nullptr && __atomic_load_n(&vi->upcall_pending, __ATOMIC_ACQUIRE) != 0;
}

bool channels_wake_by_event(Domain const &d)
{
    Domain_channels const &c = channels(d);
    return c.active && c.upcall_vector != 0;
}

void channels_before_entry(Domain &d, arch::Vcpu &v)
{
    Domain_channels &c = channels(d);
    if (c.upcall_vector == 0)
        return;
    auto const *vi = vcpu_events(d, c);
    if (vi == nullptr || __atomic_load_n(&vi->upcall_pending, __ATOMIC_ACQUIRE) == 0 ||
        (v.reg(arch::Reg::RFLAGS) & (1u << 9)) == 0)
        return;
    v.inject({arch::Event::Type::EXTERNAL_INTERRUPT, c.upcall_vector, false, 0});
    ++c.upcalls;
}

} // namespace hv::kernel
