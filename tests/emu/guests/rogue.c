/* SPDX-License-Identifier: MIT */
/* rogue: tries to reach beyond its own memory. First through the front door (domctl on another
 * domain without a capability), then by reading guest-physical memory past its end, where other
 * domains' memory would be on a machine without nested paging. Ward must destroy it there.
 * Command line: target=GPA (decimal, default 64 MiB). */
#include "guest.h"

void guest_main(void)
{
    println("rogue started");
    static struct ward_domctl dc;
    check("rogue_domctl_pause", domctl(WARD_DOMCTL_PAUSE, 1, &dc), -WARD_EPERM);
    dc.u.console.buffer = (uint32_t)(uintptr_t)&dc;
    dc.u.console.size = 16;
    check("rogue_console_read", domctl(WARD_DOMCTL_CONSOLE_READ, 1, &dc), -WARD_EPERM);
    spin(2000000);
    uint32_t const target = cmdline_number("target", 64u << 20);
    print("rogue reading ");
    print_hex(target);
    println("");
    uint32_t const value = *(uint32_t volatile const *)(uintptr_t)target;
    print("rogue SURVIVED and read ");
    print_hex(value);
    println("");
}
