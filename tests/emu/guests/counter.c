/* SPDX-License-Identifier: MIT */
/* counter: checks the basic hypercalls' return values, then prints numbered lines with busy
 * work in between (no yields in the first half, so only preemption interleaves its output with
 * the other guests'), yields in the second half, and powers off.
 * Command line: lines=N (default 12) work=N (busy-loop iterations per line). */
#include "guest.h"

static void checks(void)
{
    check("xen_version", hypercall(WARD_HC_XEN_VERSION, WARD_XENVER_VERSION, 0, 0, 0, 0),
          (WARD_XEN_MAJOR << 16) | WARD_XEN_MINOR);
    char extra[16];
    check("xen_extraversion",
          hypercall(WARD_HC_XEN_VERSION, WARD_XENVER_EXTRAVERSION, (uint32_t)(uintptr_t)extra, 0, 0,
                    0),
          0);
    check("extraversion_text", extra[0] == '.' && extra[3] == 'w', 1);
    check("unknown_hypercall", hypercall(63, 0, 0, 0, 0, 0), -WARD_ENOSYS);
    check("unknown_sched_op", hypercall(WARD_HC_SCHED_OP, 77, 0, 0, 0, 0), -WARD_ENOSYS);
    check("unknown_xenver", hypercall(WARD_HC_XEN_VERSION, 99, 0, 0, 0, 0), -WARD_ENOSYS);
    check("console_bad_buffer",
          hypercall(WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, 16, 0xfffff000u, 0, 0), -WARD_EFAULT);

    struct ward_e820_entry map[8];
    struct
    {
        uint32_t nr_entries;
        uint32_t buffer;
    } mm = {8, (uint32_t)(uintptr_t)map};
    check("memory_map",
          hypercall(WARD_HC_MEMORY_OP, WARD_XENMEM_MEMORY_MAP, (uint32_t)(uintptr_t)&mm, 0, 0, 0),
          0);
    check("memory_map_entries", (long)mm.nr_entries, (long)start_info->memmap_entries);
    struct ward_hvm_memmap_entry const *si_map =
        (struct ward_hvm_memmap_entry const *)(uintptr_t)start_info->memmap_paddr;
    uint32_t const last = start_info->memmap_entries - 1;
    check("memory_map_matches_start_info",
          map[last].addr == si_map[last].addr && map[last].size == si_map[last].size &&
              map[last].type == WARD_E820_RAM,
          1);
    static struct ward_domctl dc;
    check("domctl_without_capability", domctl(WARD_DOMCTL_DESTROY, 1, &dc), -WARD_EPERM);
    dc.interface_version = 0x11;
    check("domctl_old_interface", hypercall(WARD_HC_DOMCTL, (uint32_t)(uintptr_t)&dc, 0, 0, 0, 0),
          -13 /* EACCES */);
    check("domctl_unknown", domctl(4242, 1, &dc), -WARD_ENOSYS);
    /* String port I/O: Linux's early console does `rep outsb` to port 0xE9. */
    static char const line[] = "rep outsb reached the console\n";
    uintptr_t si = (uintptr_t)line, cx = sizeof line - 1;
    __asm__ volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0xe9) : "memory");
    check("rep_outsb_registers", cx == 0 && si == (uintptr_t)line + sizeof line - 1, 1);
    static uint8_t in[4];
    uintptr_t di = (uintptr_t)in;
    cx = 4;
    __asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(0x80) : "memory");
    check("rep_insb_all_ones", cx == 0 && in[0] == 0xff && in[3] == 0xff, 1);
    uint32_t eax = 0x12345678;
    __asm__ volatile("inb %%dx, %%al" : "+a"(eax) : "d"(0x61));
    check("inb_all_ones", eax, 0x123456ff);
    check("shutdown_bad_reason",
          hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_SHUTDOWN, (uint32_t)(uintptr_t) & (uint32_t){99},
                    0, 0, 0),
          -WARD_EINVAL);
}

void guest_main(void)
{
    uint32_t const lines = cmdline_number("lines", 12);
    uint32_t const work = cmdline_number("work", 3000000);
    print("counter started, mem ");
    print_hex(start_info->memmap_entries
                  ? ((struct ward_hvm_memmap_entry const *)(uintptr_t)
                         start_info->memmap_paddr)[start_info->memmap_entries - 1]
                            .addr +
                        ((struct ward_hvm_memmap_entry const *)(uintptr_t)
                             start_info->memmap_paddr)[start_info->memmap_entries - 1]
                            .size
                  : 0);
    println("");
    checks();
    for (uint32_t i = 1; i <= lines; ++i) {
        spin(work);
        print("count ");
        print_dec(i);
        println("");
        if (i > lines / 2)
            check("yield", hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0), 0);
    }
    println("counter done");
}
