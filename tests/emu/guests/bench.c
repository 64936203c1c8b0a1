/* SPDX-License-Identifier: MIT */
/* bench: timed with RDTSC inside the guest (Ward's hypervisor must be booted with `bench`).
 * role=main: blocks of null hypercalls (xen_version) and of bare exits (WARD_HC_BENCH_NOP,
 * answered before dispatch), alternating so that both see the same machine load, then blocks of
 * yields while role=peer also yields (each iteration = two world switches). For each kind the
 * fastest block is reported ("bench NAME cycles=0x... n=BLOCK"): on a loaded emulator host the
 * minimum is the estimate least disturbed by other processes. The runner converts cycles with
 * the TSC rate Ward logs. Command line: blocks=N (default 40), block=N (default 250). */
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

static uint64_t timed(unsigned what, uint32_t n)
{
    uint64_t const t0 = rdtsc();
    for (uint32_t i = 0; i < n; ++i) {
        if (what == 0)
            hypercall(WARD_HC_XEN_VERSION, WARD_XENVER_VERSION, 0, 0, 0, 0);
        else if (what == 1)
            raw_hypercall(WARD_HC_BENCH_NOP);
        else
            hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
    }
    return rdtsc() - t0;
}

void guest_main(void)
{
    char role[8];
    uint32_t const blocks = cmdline_number("blocks", 40);
    uint32_t const n = cmdline_number("block", 250);
    if (cmdline_value("role", role, sizeof role) && role[0] == 'p') {
        /* Keep yielding while main measures (main's own yields find us here); stop well after. */
        for (uint32_t i = 0; i < 3 * blocks * n + 1000; ++i)
            hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
        return;
    }
    println("bench started");
    uint64_t best[3] = {~0ull, ~0ull, ~0ull};
    for (uint32_t b = 0; b < blocks; ++b) {
        for (unsigned what = 0; what < 2; ++what) {
            uint64_t const c = timed(what, n);
            if (c < best[what])
                best[what] = c;
        }
    }
    for (uint32_t b = 0; b < blocks; ++b) {
        uint64_t const c = timed(2, n);
        if (c < best[2])
            best[2] = c;
    }
    report("null_hypercall", best[0], n);
    report("bare_exit", best[1], n);
    report("yield_pair", best[2], n);
}
