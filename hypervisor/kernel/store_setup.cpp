// SPDX-License-Identifier: MIT
// The xenstore link of every Linux domain; see store_setup.hpp and docs/store-domain.md.
#include "kernel/store_setup.hpp"

#include <array>

#include "arch/x86_64/paging.hpp"
#include "hv/grant_table.hpp"
#include "hv/module_cmdline.hpp"
#include "kernel/channels.hpp"
#include "kernel/guest_memory.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

// Per domain slot: the id of the store domain serving it (0: none). Set at store_ring_setup,
// cleared when the domain ends.
std::array<uint16_t, MAX_DOMAINS> served_by{};

size_t slot_of(Domain const &d)
{
    return static_cast<size_t>(&d - domains().data());
}

Domain *live_store_domain()
{
    for (Domain &d : domains())
        if (d.alive() && d.caps.has(Cap::STORE) && channels(d).active)
            return &d;
    return nullptr;
}

void raise_dom_exc(Domain &store)
{
    Domain_channels &c = channels(store);
    if (!store.alive() || !c.active)
        return;
    deliver(c.evtchn->raise_virq(VIRQ_DOM_EXC, 0));
}

uint8_t abi_state(Domain_state s)
{
    switch (s) {
    case Domain_state::RUNNABLE: return WARD_DOMSTATE_RUNNABLE;
    case Domain_state::BLOCKED: return WARD_DOMSTATE_BLOCKED;
    case Domain_state::PAUSED: return WARD_DOMSTATE_PAUSED;
    default: return WARD_DOMSTATE_SHUTDOWN;
    }
}

} // namespace

bool is_store_module(std::span<char const> cmdline)
{
    auto const parsed = parse_module_cmdline(cmdline);
    return parsed && parsed->role == Module_role::DOMAIN && parsed->domain.caps.has(Cap::STORE);
}

bool store_ring_setup(Domain &d)
{
    served_by[slot_of(d)] = 0;
    if (d.caps.has(Cap::STORE))
        return false; // a store domain is not its own client
    Domain *const store = live_store_domain();
    if (store == nullptr)
        return false; // no store: HVM_PARAM_STORE_PFN stays 0 and xenbus stays quiet
    Domain_channels &c = channels(d);
    if (!c.active || STORE_PAGE_GPA + PAGE_SIZE > d.mem_bytes)
        return false;
    static constexpr std::byte zeros[PAGE_SIZE]{};
    if (!write_guest_phys(d, STORE_PAGE_GPA, zeros, sizeof zeros))
        return false;
    auto const port = c.evtchn->alloc_unbound(store->id);
    if (!port) {
        log("ward: domain %u '%s': no event channel port for its store ring\n", d.id,
            d.name.c_str());
        return false;
    }
    uint32_t const pfn = static_cast<uint32_t>(STORE_PAGE_GPA / PAGE_SIZE);
    auto *const entries = x86::phys_to_virt<gnttab::Grant_entry_v1>(c.gnttab_pa);
    entries[GNTTAB_RESERVED_XENSTORE].frame = pfn;
    __atomic_store_n(&entries[GNTTAB_RESERVED_XENSTORE].flags_domid,
                     gnttab::make_entry(gnttab::GTF_PERMIT_ACCESS, store->id, pfn).flags_domid,
                     __ATOMIC_RELEASE);
    c.params[HVM_PARAM_STORE_PFN] = pfn;
    c.params[HVM_PARAM_STORE_EVTCHN] = *port;
    served_by[slot_of(d)] = store->id;
    log("ward: domain %u '%s': store ring pfn 0x%x, port %u, served by domain %u '%s'\n", d.id,
        d.name.c_str(), pfn, *port, store->id, store->name.c_str());
    raise_dom_exc(*store);
    return true;
}

void store_domain_ending(Domain &d)
{
    uint16_t const sid = served_by[slot_of(d)];
    served_by[slot_of(d)] = 0;
    if (sid == 0)
        return;
    if (Domain *const store = find_domain(sid); store != nullptr && store->caps.has(Cap::STORE))
        raise_dom_exc(*store);
}

bool store_may_map(Domain const &self, Domain const &granter, uint32_t ref)
{
    return ref == GNTTAB_RESERVED_XENSTORE && self.caps.has(Cap::STORE) &&
           served_by[slot_of(granter)] == self.id;
}

bool store_may_bind(Domain const &self, Domain const &remote, uint32_t remote_port)
{
    return self.caps.has(Cap::STORE) && served_by[slot_of(remote)] == self.id &&
           channels(remote).params[HVM_PARAM_STORE_EVTCHN] == remote_port;
}

Result<ward_store_info, xen::Errno> store_info(Domain const &self, uint16_t from)
{
    Domain const *best = nullptr;
    for (Domain const &d : domains()) {
        if (!d.alive() || d.id < from || served_by[slot_of(d)] != self.id)
            continue;
        if (best == nullptr || d.id < best->id)
            best = &d;
    }
    if (best == nullptr)
        return unexpected(xen::Errno::XEN_ESRCH);
    ward_store_info info{};
    info.domid = best->id;
    info.state = abi_state(best->state);
    Domain_channels const &c = channels(*best);
    info.port = static_cast<uint32_t>(c.params[HVM_PARAM_STORE_EVTCHN]);
    info.pfn = c.params[HVM_PARAM_STORE_PFN];
    for (size_t i = 0; i < best->name.length && i < sizeof info.name - 1; ++i)
        info.name[i] = best->name.chars[i];
    return info;
}

} // namespace hv::kernel
