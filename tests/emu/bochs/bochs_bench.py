#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench-hv-vmx`: the VMX half of the hypervisor benchmark, in Bochs 2.7 (corei7_skylake_x).

Same guests and figures as `make bench-hv` (QEMU, SVM): null hypercall round trip (xen_version
through the full dispatcher) against a bare VMCALL exit answered before dispatch, and the world
switch between two domains (yield ping-pong). Bochs' RDTSC counts emulated instructions, so the
guest's cycle counts are reported as instructions; wall-clock figures come from the time the
runner sees each phase's result line on the serial console (phases of n=100000 operations), and
as Bochs CPU time over the same interval, which does not grow when the machine is shared.
"""
import re
import sys

import bochs_runner


def median(values):
    v = sorted(values)
    return v[len(v) // 2]


def one_run(iso):
    run = bochs_runner.boot(iso, timeout=300, poll=0.002, track_cpu=True)
    if not run.ended or run.timed_out or not run.has(r"^ward: all domains have ended$"):
        run.dump()
        raise SystemExit("bench-hv-vmx: the run did not end cleanly")
    stamps, cpu, instr, n = {}, {}, {}, None
    for (stamp, line), cpu_s in zip(run.lines, run.cpu):
        if line == "[bench] bench started":
            stamps["start"], cpu["start"] = stamp, cpu_s
        m = re.search(r"^\[bench\] bench (\w+) cycles=0x([0-9a-f]+) n=(\d+)$", line)
        if m:
            stamps[m.group(1)], cpu[m.group(1)] = stamp, cpu_s
            n = int(m.group(3))
            instr[m.group(1)] = int(m.group(2), 16) / n
    order = ["start", "null_hypercall", "bare_exit", "yield_pair"]
    wall = {k: (stamps[k] - stamps[p]) / n for p, k in zip(order, order[1:])}
    cpu_per_op = {k: (cpu[k] - cpu[p]) / n for p, k in zip(order, order[1:])}
    kmain = run.first(lambda l: l.startswith("ward: hypervisor starting"))
    entry = run.first(lambda l: l.startswith("ward: entering domain"))
    return wall, instr, n, kmain[0], entry[0], cpu_per_op


def main() -> int:
    bochs_runner.skip_if_unavailable()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    results = [one_run(sys.argv[1]) for _ in range(runs)]
    n = results[0][2]
    w = {k: median([r[0][k] for r in results]) for k in results[0][0]}
    i = {k: median([r[1][k] for r in results]) for k in results[0][1]}
    c = {k: median([r[5][k] for r in results]) for k in results[0][5]}
    kmain = median([r[3] for r in results])
    entry = median([r[4] for r in results])
    us = 1e6
    print(f"\nWard hypervisor benchmark (Bochs 2.7, corei7_skylake_x, VMX+EPT+VPID; median of {runs} "
          f"boots; n={n} per phase; 32-bit PVH guests; wall clock of the emulator)")
    print(f"  null hypercall round trip (xen_version, full dispatch): {w['null_hypercall'] * us:8.2f} us "
          f"({i['null_hypercall']:.0f} emulated instructions)")
    print(f"  bare VMCALL exit, answered without dispatch:            {w['bare_exit'] * us:8.2f} us "
          f"({i['bare_exit']:.0f} emulated instructions)")
    print(f"  ratio null hypercall / bare exit (wall):                {w['null_hypercall'] / w['bare_exit']:8.2f}")
    print(f"  world switch between two domains (yield ping-pong / 2): {w['yield_pair'] / 2 * us:8.2f} us "
          f"({i['yield_pair'] / 2:.0f} emulated instructions)")
    print(f"  Bochs CPU time per op: null hypercall {c['null_hypercall'] * us:.2f} us, bare exit "
          f"{c['bare_exit'] * us:.2f} us (ratio {c['null_hypercall'] / c['bare_exit']:.2f}), world switch "
          f"{c['yield_pair'] / 2 * us:.2f} us")
    print(f"  Bochs start -> hypervisor's first line (BIOS + GRUB):   {kmain * 1000:8.0f} ms")
    print(f"  Bochs start -> first guest entry (VMLAUNCH):            {entry * 1000:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
