// SPDX-License-Identifier: MIT
// kmain: the boot CPU's path from the entry stub to the scheduler.
#include <cstddef>
#include <cstdint>

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "arch/x86_64/paging.hpp"
#include "platform/log.hpp"
#include "platform/serial.hpp"
#include "rt/runtime.hpp"

extern "C" HV_NORETURN void kmain(uint32_t magic, uint64_t info_pa)
{
    using namespace hv;
    platform::serial_init();
    log("\nward: hypervisor starting (multiboot2 magic 0x%x, info at 0x%llx)\n", magic,
        static_cast<unsigned long long>(info_pa));
    run_global_constructors();
    x86::Cpu_features const feat = x86::paging_init();
    log("ward: paging: W^X image map, NX %s, SMEP %s, SMAP %s\n", feat.nx ? "on" : "off",
        feat.smep ? "on" : "off", feat.smap ? "on" : "off");
    x86::load_descriptors(0);
    log("ward: GDT/IDT/TSS loaded\n");
    platform_exit(0);
}
