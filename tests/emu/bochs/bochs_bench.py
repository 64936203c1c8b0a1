#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench-hv-vmx`: the VMX half of the hypervisor benchmark, in Bochs 2.7 (corei7_skylake_x,
VMX + EPT + VPID), with the same bench guests and figures as `make bench-hv` (QEMU, SVM):

  - null hypercall round trip (xen_version through the full decode and dispatch) against a bare
    VMCALL exit that the hypervisor answers before any dispatch; the ratio is the dispatch cost;
  - world switch between two domains (yield ping-pong; each iteration is two switches);
  - time from Bochs start to the hypervisor's first line and to the first guest entry.

Bochs' RDTSC counts emulated instructions, not time, so the guest's cycle counts are reported as
emulated instructions. Time per operation comes from when the runner sees each phase's result
line on the serial console (n operations per phase): as wall time, and as the CPU time Bochs
used over the same interval, which does not grow when other jobs share the machine.

  bochs_bench.py LABEL ISO [LABEL ISO ...]
"""
import re
import sys

import bochs_runner

RUNS = 3
PHASES = ["start", "null_hypercall", "bare_exit", "yield_pair"]


def median(values):
    v = sorted(values)
    return v[len(v) // 2]


def one_run(iso):
    run = bochs_runner.boot(iso, timeout=400, poll=0.002, track_cpu=True)
    if not run.ended or run.returncode != (0x10 << 1) | 1:
        run.dump()
        raise SystemExit(f"bench-hv-vmx: {iso} did not end cleanly ({run.returncode})")
    wall, cpu, instr, n = {}, {}, {}, None
    for (stamp, line), cpu_s in zip(run.lines, run.cpu):
        if line == "[bench] bench started":
            wall["start"], cpu["start"] = stamp, cpu_s
        m = re.search(r"^\[bench\] bench (\w+) cycles=0x([0-9a-f]+) n=(\d+)$", line)
        if m:
            n = int(m.group(3))
            wall[m.group(1)], cpu[m.group(1)] = stamp, cpu_s
            instr[m.group(1)] = int(m.group(2), 16) / n
    f = {}
    for prev, phase in zip(PHASES, PHASES[1:]):
        f[phase + "_wall"] = (wall[phase] - wall[prev]) / n * 1e6
        f[phase + "_cpu"] = (cpu[phase] - cpu[prev]) / n * 1e6
        f[phase + "_instr"] = instr[phase]
    # Per-run derived figures, so that the medians never mix runs.
    f["ratio_wall"] = f["null_hypercall_wall"] / f["bare_exit_wall"]
    f["ratio_cpu"] = f["null_hypercall_cpu"] / f["bare_exit_cpu"]
    f["ratio_instr"] = f["null_hypercall_instr"] / f["bare_exit_instr"]
    f["kmain"] = run.first(lambda l: l.startswith("ward: hypervisor starting"))[0]
    f["entry"] = run.first(lambda l: l.startswith("ward: entering domain"))[0]
    f["n"] = n
    return f


def measure(iso):
    results = [one_run(iso) for _ in range(RUNS)]
    return {k: median([r[k] for r in results]) for k in results[0]}


def main() -> int:
    bochs_runner.skip_if_unavailable()
    args = sys.argv[1:]
    rows = [(label, measure(iso)) for label, iso in zip(args[0::2], args[1::2])]
    print(f"\nWard hypervisor benchmark: Bochs 2.7 corei7_skylake_x (Intel VMX + EPT + VPID), median "
          f"of {RUNS} boots per row; times per operation (wall / Bochs CPU), instructions emulated")
    for label, f in rows:
        print(f"\n  {label} guests (n={f['n']} per phase)")
        for key, what in (("null_hypercall", "null hypercall round trip (xen_version, full dispatch)"),
                          ("bare_exit", "bare VMCALL exit, answered before dispatch          ")):
            print(f"    {what}: {f[key + '_wall']:7.2f} us wall, {f[key + '_cpu']:7.2f} us CPU, "
                  f"{f[key + '_instr']:6.0f} instructions")
        print(f"    ratio null hypercall / bare exit:                       {f['ratio_wall']:7.2f} wall, "
              f"{f['ratio_cpu']:7.2f} CPU, {f['ratio_instr']:6.2f} instructions")
        print(f"    world switch (yield ping-pong between two domains, /2): "
              f"{f['yield_pair_wall'] / 2:7.2f} us wall, {f['yield_pair_cpu'] / 2:7.2f} us CPU, "
              f"{f['yield_pair_instr'] / 2:6.0f} instructions")
        print(f"    Bochs start -> hypervisor's first line (BIOS + GRUB):    {f['kmain'] * 1000:7.0f} ms")
        print(f"    Bochs start -> first guest entry (VMLAUNCH):            {f['entry'] * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
