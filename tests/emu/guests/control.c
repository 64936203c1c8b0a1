/* SPDX-License-Identifier: MIT */
/* control: a domain given the info, console and control capabilities. Reads another domain's
 * info and console, pauses and unpauses it. Command line: target=DOMID (default 1). */
#include "guest.h"

static struct ward_domctl dc;

void guest_main(void)
{
    uint16_t const target = (uint16_t)cmdline_number("target", 1);
    println("control started");
    spin(4000000); /* let the target print something first */
    check("info", domctl(WARD_DOMCTL_INFO, target, &dc), 0);
    check("info_domid", dc.u.info.domid, target);
    print("control: target is '");
    print(dc.u.info.name);
    println("'");
    check("info_missing_domain", domctl(WARD_DOMCTL_INFO, 999, &dc), -WARD_ESRCH);
    static char ring[64];
    dc.u.console.buffer = (uint32_t)(uintptr_t)ring;
    dc.u.console.size = sizeof ring - 1;
    check("console_read", domctl(WARD_DOMCTL_CONSOLE_READ, target, &dc), 0);
    check("console_read_positive", dc.u.console.returned > 0, 1);
    check("pause", domctl(WARD_DOMCTL_PAUSE, target, &dc), 0);
    check("pause_again", domctl(WARD_DOMCTL_PAUSE, target, &dc), -WARD_EINVAL);
    check("unpause", domctl(WARD_DOMCTL_UNPAUSE, target, &dc), 0);
    check("create_without_capability", domctl(WARD_DOMCTL_CREATE, 0, &dc), -WARD_EPERM);
    println("control done");
}
