// SPDX-License-Identifier: MIT
// The domain table and domain teardown (console output: console_out.cpp).
#include "kernel/domain.hpp"

#include "kernel/channels.hpp"

#include <memory>
#include <new>

#include "kernel/kernel.hpp"
#include "kernel/memory.hpp"
#include "kernel/scheduler.hpp"
#include "kernel/store_setup.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{
namespace
{
std::array<Domain, MAX_DOMAINS> table;
}

char const *state_name(Domain_state s)
{
    switch (s) {
    case Domain_state::FREE: return "free";
    case Domain_state::RUNNABLE: return "runnable";
    case Domain_state::BLOCKED: return "blocked";
    case Domain_state::PAUSED: return "paused";
    case Domain_state::SHUTDOWN: return "shutdown";
    }
    return "?";
}

bool Domain::gpa_to_hpa(uint64_t gpa, uint64_t &hpa) const
{
    if (gpa >= mem_bytes)
        return false;
    hpa = chunks[gpa / CHUNK_BYTES] + gpa % CHUNK_BYTES;
    return true;
}

std::array<Domain, MAX_DOMAINS> &domains()
{
    return table;
}

Domain *find_domain(uint16_t id)
{
    for (Domain &d : table)
        if (d.state != Domain_state::FREE && d.id == id)
            return &d;
    return nullptr;
}

Domain *alloc_domain()
{
    for (size_t i = 0; i < table.size(); ++i) {
        if (table[i].state == Domain_state::FREE) {
            std::destroy_at(&table[i]);
            new (&table[i]) Domain{}; // in place: a Domain is too big for a stack temporary
            table[i].id = static_cast<uint16_t>(i + 1); // 0 is reserved (Xen's DOMID 0)
            return &table[i];
        }
    }
    return nullptr;
}

void end_domain(Domain &d, bool destroyed, uint32_t reason, char const *note)
{
    if (!d.alive())
        return;
    console_flush(d);
    channels_domain_ending(d); // while its memory and address space still exist
    store_domain_ending(d);    // its store domain hears of it (VIRQ_DOM_EXC)
    if (d.vcpu != nullptr)
        sched_remove(d);
    d.state = Domain_state::SHUTDOWN;
    d.destroyed = destroyed;
    d.shutdown_reason = reason;
    size_t i = 0;
    for (; note[i] != '\0' && i + 1 < sizeof d.end_note; ++i)
        d.end_note[i] = note[i];
    d.end_note[i] = '\0';
    if (d.vcpu != nullptr)
        backend().destroy_vcpu(d.vcpu);
    d.vcpu = nullptr;
    if (d.space != nullptr)
        backend().destroy_stage2(d.space);
    d.space = nullptr;
    for (size_t c = 0; c < d.chunk_count; ++c)
        if (auto const r = frames().free(d.chunks[c], CHUNK_ORDER); !r)
            log("ward: BUG: freeing memory of domain %u: %s\n", d.id,
                Frame_allocator::error_name(r.error()));
    (void)d.account.uncharge(d.account.used());
    d.chunk_count = 0;
}

void end_lone_service_domains()
{
    bool service_alive = false;
    for (Domain const &d : domains()) {
        if (!d.alive())
            continue;
        if (!d.service)
            return;
        service_alive = true;
    }
    if (!service_alive)
        return;
    for (Domain &d : domains()) {
        if (!d.alive())
            continue;
        log("ward: only service domains are left: ending domain %u '%s'\n", d.id, d.name.c_str());
        end_domain(d, true, WARD_SHUTDOWN_POWEROFF, "no domain left to serve");
    }
}

} // namespace hv::kernel
