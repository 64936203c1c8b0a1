// SPDX-License-Identifier: MIT
// Domain construction from boot modules (see domain_builder.hpp, docs/boot.md).
#include "kernel/domain_builder.hpp"

#include "arch/x86_64/paging.hpp"
#include "hv/elf.hpp"
#include "hv/format.hpp"
#include "hv/module_cmdline.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/boot_extras.hpp"
#include "kernel/channels.hpp"
#include "kernel/console_ring.hpp"
#include "kernel/domain_create.hpp"
#include "kernel/guest_memory.hpp"
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

// "module 2 'name=rogue mem=4M'" for log lines, cut to fit.
void describe(char (&out)[80], size_t index, std::span<char const> cmdline)
{
    size_t const n = cmdline.size() < 48 ? cmdline.size() : 48;
    char text[49];
    for (size_t i = 0; i < n; ++i)
        text[i] = cmdline[i] >= 0x20 && cmdline[i] <= 0x7e ? cmdline[i] : '?';
    text[n] = '\0';
    format(out, sizeof out, "module %zu '%s%s'", index, text, cmdline.size() > n ? "..." : "");
}

} // namespace

void guest_memmap(Domain const &d, Guest_memmap_entry (&out)[GUEST_MEMMAP_ENTRIES])
{
    out[0] = {0, 0xa0000, WARD_HVM_MEMMAP_TYPE_RAM};
    out[1] = {0xa0000, 0x60000, WARD_HVM_MEMMAP_TYPE_RESERVED};
    out[2] = {0x100000, d.mem_bytes - 0x100000, WARD_HVM_MEMMAP_TYPE_RAM};
}

Domain *build_domain_from_module(mb2::Info const &info, size_t index, uint64_t hv_start,
                                 uint64_t hv_end)
{
    mb2::Module const m = info.module(index);
    if (is_policy_module(m.cmdline))
        return nullptr; // the ACM policy (acm_hooks.cpp), not a domain
    char what[80];
    describe(what, index, m.cmdline);

    if (auto const r = mb2::check_module(info, index, hv_start, hv_end); !r) {
        refuse(what, mb2::error_name(r.error()));
        return nullptr;
    }
    auto const parsed = parse_module_cmdline(m.cmdline);
    if (!parsed) {
        char why[96];
        format(why, sizeof why, "bad command line: %s (column %u)",
               error_name(parsed.error().reason), parsed.error().column);
        refuse(what, why);
        return nullptr;
    }
    if (parsed->role != Module_role::DOMAIN) {
        if (!domain_module_named(info, parsed->owner))
            refuse(what, parsed->role == Module_role::INITRD
                             ? "initrd_for= names no domain module"
                             : "eventlog_for= names no domain module");
        return nullptr; // loaded by its domain (boot_extras.hpp)
    }
    Domain_config const &cfg = parsed->domain;
    if (cfg.guest_cmdline.size() >= START_PAGE_BYTES - CMDLINE_OFFSET) {
        refuse(what, "guest command line too long");
        return nullptr;
    }
    char const *initrd_error = nullptr;
    auto const initrd = find_initrd(info, cfg.name, hv_start, hv_end, initrd_error);
    if (initrd_error != nullptr) {
        refuse(what, initrd_error);
        return nullptr;
    }
    auto const eventlog = find_eventlog(info, cfg.name, hv_start, hv_end, initrd_error);
    if (initrd_error != nullptr) {
        refuse(what, initrd_error);
        return nullptr;
    }
    std::span<std::byte const> const file{x86::phys_to_virt<std::byte const>(m.start),
                                          m.end - m.start};
    auto const made = create_domain({what, cfg, file, initrd, eventlog});
    if (!made)
        return nullptr; // logged
    Domain *const d = *made;
    if (!eventlog.empty())
        log("ward: domain %u '%s': event log, %u bytes at 0x%llx (ACPI TPM2 table)\n", d->id,
            d->name.c_str(), static_cast<unsigned>(eventlog.size()),
            static_cast<unsigned long long>(EVENT_LOG_GPA));
    // Linux domains (those with an initrd) get the PV console ring; the small test guests keep
    // their event channel ports to themselves.
    if (!initrd.empty() && !console_ring_setup(*d))
        log("ward: domain %u '%s': no PV console ring (no hvc0)\n", d->id, d->name.c_str());
    // Linux domains also get their xenstore ring when a store domain runs (store_setup.hpp).
    if (!initrd.empty())
        (void)store_ring_setup(*d);
    sched_add(*d, 0); // one CPU for now
    return d;
}

} // namespace hv::kernel
