// SPDX-License-Identifier: MIT
// kmain: the boot CPU's path from the entry stub to the scheduler, and the end-of-run summary.
#include <cstddef>
#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "arch/x86_64/paging.hpp"
#include "hv/hv_options.hpp"
#include "hv/multiboot2.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/boot_info.hpp"
#include "kernel/domain_builder.hpp"
#include "kernel/kernel.hpp"
#include "kernel/memory.hpp"
#include "kernel/scheduler.hpp"
#include "kernel/self_test.hpp"
#include "kernel/store_setup.hpp"
#include "platform/lapic.hpp"
#include "platform/log.hpp"
#include "platform/serial.hpp"
#include "rt/runtime.hpp"

extern "C" char __image_start[], __image_end[];

namespace hv::kernel
{
namespace
{

// isa-debug-exit values (QEMU exits with (v << 1) | 1): see docs/boot.md.
constexpr uint8_t EXIT_ALL_DOMAINS_ENDED = 0x10;
constexpr uint8_t EXIT_BOOT_FAILED = 0x20;

arch::Backend *the_backend = nullptr;
Hv_options the_options;
uint64_t the_tsc_per_us = 1;

HV_NORETURN void boot_failed(char const *why)
{
    log("ward: boot failed: %s\n", why);
    platform_exit(EXIT_BOOT_FAILED);
}

void print_summary()
{
    log("ward: all domains have ended\n");
    unsigned destroyed = 0;
    for (Domain const &d : domains()) {
        if (d.state == Domain_state::FREE)
            continue;
        destroyed += d.destroyed ? 1 : 0;
        log("ward: summary: domain %u '%s' %s: %s; exits %llu, hypercalls %llu, preemptions %llu, "
            "yields %llu\n",
            d.id, d.name.c_str(),
            d.destroyed ? "destroyed" : (d.alive() ? state_name(d.state) : "ended"),
            d.end_note[0] ? d.end_note : "-", static_cast<unsigned long long>(d.stats.exits),
            static_cast<unsigned long long>(d.stats.hypercalls),
            static_cast<unsigned long long>(d.stats.preemptions),
            static_cast<unsigned long long>(d.stats.yields));
    }
    log("ward: run complete: %u domain(s) destroyed by the hypervisor or another domain\n",
        destroyed);
}

} // namespace

arch::Backend &backend()
{
    return *the_backend;
}
void set_backend(arch::Backend &b)
{
    the_backend = &b;
}
Hv_options const &options()
{
    return the_options;
}
void set_options(Hv_options const &o)
{
    the_options = o;
}
uint64_t tsc_per_us()
{
    return the_tsc_per_us;
}
void set_tsc_per_us(uint64_t v)
{
    the_tsc_per_us = v;
}

} // namespace hv::kernel

extern "C" HV_NORETURN void kmain(uint32_t magic, uint64_t info_pa)
{
    using namespace hv;
    using namespace hv::kernel;
    platform::serial_init();
    log("\nward: hypervisor starting\n");
    run_global_constructors();
    x86::Cpu_features const feat = x86::paging_init();
    x86::load_descriptors(0);
    log("ward: long mode, W^X image mapping, NX %s, SMEP %s, SMAP %s; GDT/IDT/TSS loaded\n",
        feat.nx ? "on" : "off", feat.smep ? "on" : "off", feat.smap ? "on" : "off");

    auto const boot = read_boot_info(magic, info_pa);
    if (!boot)
        boot_failed(boot.error());
    mb2::Info const *const info = &boot->info;
    auto const opts = parse_hv_options(info->cmdline());
    if (!opts) {
        log("ward: hypervisor command line rejected: %s (column %u); using defaults\n",
            error_name(opts.error().reason), opts.error().column);
    } else {
        set_options(*opts);
        platform::serial_select(opts->serial_port);
    }
    run_self_test(options().test.view());

    if (auto const r = memory_init(*info, boot->info_pa); !r) {
        log("ward: frame allocator: %s\n", Frame_allocator::error_name(r.error()));
        boot_failed("cannot set up physical memory");
    }
    log("ward: memory: %llu MiB free for domains (%zu map entries, %zu modules)\n",
        static_cast<unsigned long long>(frames().free_frames() * FRAME_SIZE >> 20),
        info->memory_region_count(), info->module_count());

    auto const b = arch::select_backend(page_provider());
    if (!b) {
        log("ward: no virtualization backend: %s\n", arch::error_name(b.error()));
        boot_failed("hardware virtualization unavailable");
    }
    set_backend(**b);
    if (auto const r = backend().enable_cpu(0); !r)
        boot_failed(arch::error_name(r.error()));
    log("ward: backend %s enabled on cpu 0\n", backend().name());

    platform::Timer_calibration const cal = platform::lapic_init();
    set_tsc_per_us(cal.tsc_per_us);
    log("ward: TSC %llu MHz, LAPIC timer %llu ticks/ms, time slice %u us\n",
        static_cast<unsigned long long>(cal.tsc_per_us),
        static_cast<unsigned long long>(cal.apic_ticks_per_ms), options().slice_us);

    uint64_t const hv_start = reinterpret_cast<uint64_t>(__image_start);
    uint64_t const hv_end = reinterpret_cast<uint64_t>(__image_end);
    acm_init(*info); // before any domain: the Chinese Wall check runs as each one is built
    unsigned built = 0;
    // The store domain first (caps=store): the others get their xenstore ring from it.
    for (bool const store_pass : {true, false})
        for (size_t i = 0; i < info->module_count(); ++i)
            if (is_store_module(info->module(i).cmdline) == store_pass)
                built += build_domain_from_module(*info, i, hv_start, hv_end) != nullptr ? 1 : 0;
    log("ward: %u of %zu domain(s) built\n", built, info->module_count());

    run_late_self_test(options().test.view());
    scheduler_init();
    platform::lapic_timer_start(cal, x86::VECTOR_TIMER, options().slice_us);
    scheduler_run(0);
    platform::lapic_timer_stop();
    print_summary();
    platform_exit(EXIT_ALL_DOMAINS_ENDED);
}
