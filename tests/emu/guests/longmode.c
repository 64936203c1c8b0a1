/* SPDX-License-Identifier: MIT */
/* longmode: a 64-bit guest (start64.S switched to long mode). Checks the 64-bit hypercall
 * convention (RDI, RSI, RDX, R10, R8), the 64-bit xen_memory_map layout (handle at offset 8),
 * and that hypercall buffers are guest-virtual addresses: it passes buffers through an alias
 * mapping at 1 GiB that only its own page tables know. */
#include "guest.h"

#define ALIAS(p) ((uintptr_t)(p) + (1ull << 30))

static char const message[] = "hello through the alias mapping\n";

void guest_main(void)
{
    uint64_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    println("long mode guest started");
    check("lm_xen_version", hypercall(WARD_HC_XEN_VERSION, WARD_XENVER_VERSION, 0, 0, 0, 0),
          (WARD_XEN_MAJOR << 16) | WARD_XEN_MINOR);
    check("lm_console_alias",
          hypercall(WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, sizeof message - 1, ALIAS(message), 0,
                    0),
          0);
    static char extra[16];
    check("lm_extraversion_alias",
          hypercall(WARD_HC_XEN_VERSION, WARD_XENVER_EXTRAVERSION, ALIAS(extra), 0, 0, 0), 0);
    check("lm_extraversion_text", extra[0] == '.' && extra[3] == 'w', 1);
    check("lm_unmapped_buffer",
          hypercall(WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, 4, 3ull << 30, 0, 0), -WARD_EFAULT);
    check("lm_noncanonical_buffer",
          hypercall(WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, 4, 0x8000000000000000ull, 0, 0),
          -WARD_EFAULT);

    struct ward_e820_entry map[4];
    struct
    {
        uint32_t nr_entries;
        uint64_t buffer; /* offset 8 in a 64-bit guest */
    } mm = {4, ALIAS(map)};
    check("lm_memory_map",
          hypercall(WARD_HC_MEMORY_OP, WARD_XENMEM_MEMORY_MAP, ALIAS(&mm), 0, 0, 0), 0);
    check("lm_memory_map_entries", (long)mm.nr_entries, 3);
    check("lm_memory_map_ram", map[2].addr == 0x100000 && map[2].type == WARD_E820_RAM, 1);
    /* MSRs kept in the VMCB/VMCS: a write reads back (Linux sets GS_BASE and EFER early). */
    uint32_t lo, hi;
    __asm__ volatile("wrmsr" ::"c"(0xc0000100u), "a"(0x5678f000u), "d"(0x1234u));
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000100u));
    check("lm_fs_base_msr", ((uint64_t)hi << 32 | lo) == 0x12345678f000ull, 1);
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
    check("lm_efer_lma", (lo & 0x500) == 0x500, 1); /* LME and LMA */
    check("lm_unknown_hypercall", hypercall(50, 1, 2, 3, 4, 5), -WARD_ENOSYS);
    println("long mode guest done");
}
