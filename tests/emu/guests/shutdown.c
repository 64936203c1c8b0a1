/* SPDX-License-Identifier: MIT */
/* shutdown: prints a line, blocks once, then shuts down with the reason from its command line
 * (reason=N, default 1 = reboot). */
#include "guest.h"

void guest_main(void)
{
    uint32_t const reason = cmdline_number("reason", WARD_SHUTDOWN_REBOOT);
    println("shutdown guest started");
    check("block", hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_BLOCK, 0, 0, 0, 0), 0);
    print("shutdown guest leaving with reason ");
    print_dec(reason);
    println("");
    shutdown(reason);
}
