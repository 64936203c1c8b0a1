/* SPDX-License-Identifier: MIT */
/* bench: timed with RDTSC inside the guest (Ward's hypervisor must be booted with `bench`).
 * role=main: N null hypercalls (xen_version) vs N bare exits (WARD_HC_BENCH_NOP, answered
 * before dispatch), then N yields while role=peer also yields (each iteration = two world
 * switches between the domains). Figures go out as "bench NAME cycles=0x... n=N" lines; the
 * runner converts them with the TSC rate Ward logs. */
#include "guest.h"

static void report(char const *name, uint64_t cycles, uint32_t n)
{
    print("bench ");
    print(name);
    print(" cycles=");
    print_hex(cycles);
    print(" n=");
    print_dec(n);
    println("");
}

void guest_main(void)
{
    char role[8];
    uint32_t const n = cmdline_number("n", 20000);
    if (cmdline_value("role", role, sizeof role) && role[0] == 'p') {
        for (uint32_t i = 0; i < 2 * n + 1000; ++i)
            hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
        return;
    }
    println("bench started");
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; ++i)
        hypercall(WARD_HC_XEN_VERSION, WARD_XENVER_VERSION, 0, 0, 0, 0);
    report("null_hypercall", rdtsc() - t0, n);
    t0 = rdtsc();
    for (uint32_t i = 0; i < n; ++i)
        raw_hypercall(WARD_HC_BENCH_NOP);
    report("bare_exit", rdtsc() - t0, n);
    t0 = rdtsc();
    for (uint32_t i = 0; i < n; ++i)
        hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
    report("yield_pair", rdtsc() - t0, n);
}
