#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench-hv`: Ward booted under QEMU with `bench` on its command line and a pair of bench
guests, once with 32-bit guests and once with 64-bit ones, each boot repeated (median).

Figures (guest RDTSC, converted with the TSC rate Ward calibrates and logs; the guest reports
its fastest block of each kind, which filters out the other processes on a loaded host):
  - null hypercall round trip (xen_version through the full decode and dispatch) against a bare
    VMMCALL exit that the hypervisor answers before any dispatch; the ratio is the dispatch cost;
  - world switch between two domains (two domains yielding to each other; each loop iteration is
    two yield hypercalls and two switches);
  - time from QEMU start to the hypervisor's first line, to the first guest entry and to the
    first guest console line (serial lines timestamped by this runner).

  qemu_bench.py LABEL ISO [LABEL ISO ...]
"""
import re
import sys

import qemu_runner

RUNS = 3


def median(values):
    v = sorted(values)
    return v[len(v) // 2]


def measure(iso):
    results = []
    for i in range(RUNS):
        run = qemu_runner.boot(iso)
        if run.timed_out or run.returncode != qemu_runner.EXIT_ALL_DOMAINS_ENDED:
            print("\n".join(run.text()))
            raise SystemExit(f"bench-hv: {iso} run {i + 1} did not end cleanly ({run.returncode})")
        mhz = None
        fig = {}
        for line in run.text():
            m = re.search(r"ward: TSC (\d+) MHz", line)
            if m:
                mhz = int(m.group(1))
            m = re.search(r"^\[bench\] bench (\w+) cycles=0x([0-9a-f]+) n=(\d+)$", line)
            if m:
                fig[m.group(1)] = int(m.group(2), 16) / int(m.group(3))
        stamp = lambda pred: run.first(pred)[0]
        fig["mhz"] = mhz
        # Per-run derived figures, so that the medians never mix runs.
        fig["null_us"] = fig["null_hypercall"] / mhz
        fig["bare_us"] = fig["bare_exit"] / mhz
        fig["switch_us"] = fig["yield_pair"] / 2 / mhz
        fig["ratio"] = fig["null_hypercall"] / fig["bare_exit"]
        fig["switch_ratio"] = fig["yield_pair"] / 2 / fig["bare_exit"]
        fig["kmain"] = stamp(lambda l: l.startswith("ward: hypervisor starting"))
        fig["entry"] = stamp(lambda l: l.startswith("ward: entering domain"))
        fig["first"] = stamp(lambda l: l.startswith("[bench]"))
        results.append(fig)
    return {k: median([r[k] for r in results]) for k in results[0]}


def main() -> int:
    qemu_runner.skip_if_unavailable()
    args = sys.argv[1:]
    rows = [(label, measure(iso)) for label, iso in zip(args[0::2], args[1::2])]
    print(f"\nWard hypervisor benchmark: QEMU TCG -cpu max (AMD SVM + NPT, no NRIPS), median of "
          f"{RUNS} boots per row; cycles are guest TSC cycles")
    for label, f in rows:
        print(f"\n  {label} guests (TSC {f['mhz']} MHz)")
        print(f"    null hypercall round trip (xen_version, full dispatch): {f['null_us']:7.2f} us "
              f"({f['null_hypercall']:.0f} cycles)")
        print(f"    bare VMMCALL exit, answered before dispatch:            {f['bare_us']:7.2f} us "
              f"({f['bare_exit']:.0f} cycles)")
        print(f"    ratio null hypercall / bare exit:                       {f['ratio']:7.2f}")
        print(f"    world switch (yield ping-pong between two domains, /2): {f['switch_us']:7.2f} us "
              f"(ratio to bare exit {f['switch_ratio']:.2f})")
        print(f"    QEMU start -> hypervisor's first line (BIOS + GRUB):     {f['kmain'] * 1000:7.0f} ms")
        print(f"    QEMU start -> first guest entry:                        {f['entry'] * 1000:7.0f} ms")
        print(f"    QEMU start -> first guest console line:                 {f['first'] * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
