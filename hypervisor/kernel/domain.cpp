// SPDX-License-Identifier: MIT
// The domain table and domain teardown (console output: console_out.cpp).
#include "kernel/domain.hpp"

#include "kernel/channels.hpp"

#include <memory>
#include <new>

#include "hv/format.hpp"
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

void exit_stats_log(Domain const &d)
{
    Exit_stats const &s = d.stats.detail;
    uint64_t const per_ms = tsc_per_us() * 1000;
    auto ms = [&](uint64_t t) { return static_cast<unsigned long long>(t / per_ms); };
    auto n = [&](arch::Exit_reason r) {
        return static_cast<unsigned long long>(s.count[static_cast<size_t>(r)]);
    };
    auto t = [&](arch::Exit_reason r) { return ms(s.tsc[static_cast<size_t>(r)]); };
    uint64_t handling = 0;
    for (uint64_t x : s.tsc)
        handling += x;
    using R = arch::Exit_reason;
    log("ward: exits: domain %u '%s': %llu exits, guest %llu ms, handling %llu ms, blocked %llu "
        "ms; hypercall %llu/%llu ms, io %llu/%llu ms (pit %llu, pci %llu, string %llu, "
        "fused in %llu), cpuid %llu, msr %llu+%llu/%llu ms, npf %llu/%llu ms, hlt %llu, "
        "intr %llu\n",
        d.id, d.name.c_str(), static_cast<unsigned long long>(d.stats.exits), ms(s.guest_tsc),
        ms(handling), ms(s.blocked_tsc), n(R::HYPERCALL), t(R::HYPERCALL), n(R::IO), t(R::IO),
        static_cast<unsigned long long>(s.io_pit), static_cast<unsigned long long>(s.io_pci),
        static_cast<unsigned long long>(s.io_string), static_cast<unsigned long long>(s.io_fused),
        n(R::CPUID), n(R::MSR_READ), n(R::MSR_WRITE),
        ms(s.tsc[static_cast<size_t>(R::MSR_READ)] + s.tsc[static_cast<size_t>(R::MSR_WRITE)]),
        n(R::NESTED_PAGE_FAULT), t(R::NESTED_PAGE_FAULT), n(R::HLT), n(R::INTERRUPT));
    char calls[160];
    size_t used = 0;
    calls[0] = '\0';
    for (size_t i = 0; i < s.hypercall.size() && used + 16 < sizeof calls; ++i)
        if (s.hypercall[i] != 0)
            used += format(calls + used, sizeof calls - used, " %zu:%u", i, s.hypercall[i]);
    log("ward: exits: domain %u '%s': hypercalls by number:%s\n", d.id, d.name.c_str(), calls);
}

void end_domain(Domain &d, bool destroyed, uint32_t reason, char const *note)
{
    if (!d.alive())
        return;
    console_flush(d);
    exit_stats_log(d);
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
