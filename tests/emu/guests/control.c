/* SPDX-License-Identifier: MIT */
/* control: a domain given the info, console and control capabilities. Reads another domain's
 * info and console, pauses and unpauses it. Command line: target=DOMID (default 1). */
#include "guest.h"

void guest_main(void)
{
    uint32_t const target = cmdline_number("target", 1);
    println("control started");
    spin(4000000); /* let the target print something first */
    struct ward_domain_info info;
    check("info",
          hypercall(WARD_HC_DOMCTL, WARD_DOMCTL_INFO, target, (uint32_t)(uintptr_t)&info,
                    sizeof info, 0),
          0);
    check("info_domid", info.domid, (long)target);
    print("control: target is '");
    print(info.name);
    println("'");
    check("info_missing_domain",
          hypercall(WARD_HC_DOMCTL, WARD_DOMCTL_INFO, 999, (uint32_t)(uintptr_t)&info, sizeof info,
                    0),
          -WARD_ESRCH);
    static char ring[64];
    long const n = hypercall(WARD_HC_DOMCTL, WARD_DOMCTL_CONSOLE_READ, target,
                             (uint32_t)(uintptr_t)ring, sizeof ring - 1, 0);
    check("console_read_positive", n > 0, 1);
    check("pause", hypercall(WARD_HC_DOMCTL, WARD_DOMCTL_PAUSE, target, 0, 0, 0), 0);
    check("pause_again", hypercall(WARD_HC_DOMCTL, WARD_DOMCTL_PAUSE, target, 0, 0, 0),
          -WARD_EINVAL);
    check("unpause", hypercall(WARD_HC_DOMCTL, WARD_DOMCTL_UNPAUSE, target, 0, 0, 0), 0);
    check("create_without_capability", hypercall(WARD_HC_DOMCTL, WARD_DOMCTL_CREATE, 0, 0, 0, 0),
          -WARD_EPERM);
    println("control done");
}
