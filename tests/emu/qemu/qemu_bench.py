#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench-hv`: one QEMU boot of Ward with `bench` on its command line and two bench guests.

Figures (guest RDTSC, converted with the TSC rate Ward calibrates and logs):
  - null hypercall round trip (xen_version through the full dispatcher) against a bare VMMCALL
    exit that the hypervisor answers before any dispatch; the ratio is the dispatch overhead;
  - world switch between two domains (two domains yielding to each other; each loop iteration
    is two switches);
  - time from QEMU start to Ward's first guest entry and to the first guest console line
    (serial lines timestamped by this runner).
"""
import re
import sys

import qemu_runner


def main() -> int:
    qemu_runner.skip_if_unavailable()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    results = []
    for i in range(runs):
        run = qemu_runner.boot(sys.argv[1])
        if run.timed_out or run.returncode != qemu_runner.EXIT_ALL_DOMAINS_ENDED:
            print("\n".join(run.text()))
            print(f"bench-hv: run {i + 1} did not end cleanly (status {run.returncode})")
            return 1
        mhz = None
        figures = {}
        for line in run.text():
            m = re.search(r"ward: TSC (\d+) MHz", line)
            if m:
                mhz = int(m.group(1))
            m = re.search(r"^\[bench\] bench (\w+) cycles=0x([0-9a-f]+) n=(\d+)$", line)
            if m:
                figures[m.group(1)] = int(m.group(2), 16) / int(m.group(3))
        kmain = run.first(lambda l: l.startswith("ward: hypervisor starting"))
        entry = run.first(lambda l: l.startswith("ward: entering domain"))
        first_line = run.first(lambda l: l.startswith("[") and "]" in l)
        results.append((mhz, figures, entry[0] if entry else None,
                        first_line[0] if first_line else None, kmain[0] if kmain else None))

    def median(values):
        v = sorted(values)
        return v[len(v) // 2]

    mhz = median([r[0] for r in results])
    null = median([r[1]["null_hypercall"] for r in results])
    bare = median([r[1]["bare_exit"] for r in results])
    pair = median([r[1]["yield_pair"] for r in results])
    entry = median([r[2] for r in results])
    first = median([r[3] for r in results])
    kmain = median([r[4] for r in results])
    us = lambda cycles: cycles / mhz
    print(f"\nWard hypervisor benchmark (QEMU TCG, -cpu max, SVM+NPT; median of {runs} boots; "
          f"TSC {mhz} MHz; 32-bit PVH guests)")
    print(f"  null hypercall round trip (xen_version, full dispatch): {us(null):8.2f} us ({null:.0f} cycles)")
    print(f"  bare VMMCALL exit, answered without dispatch:            {us(bare):8.2f} us ({bare:.0f} cycles)")
    print(f"  ratio null hypercall / bare exit:                        {null / bare:8.2f}")
    print(f"  world switch between two domains (yield ping-pong / 2): {us(pair / 2):8.2f} us "
          f"({pair / 2:.0f} cycles; one yield hypercall + one domain switch)")
    print(f"  QEMU start -> hypervisor's first line (BIOS + GRUB):    {kmain * 1000:8.0f} ms")
    print(f"  QEMU start -> first guest entry (VMRUN):                {entry * 1000:8.0f} ms")
    print(f"  QEMU start -> first guest console line:                 {first * 1000:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
