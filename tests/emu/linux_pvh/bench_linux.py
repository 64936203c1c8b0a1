#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench-linux: Debian's kernel on Ward under QEMU TCG, one guest and two guests, next to the
floor (the same kernel entered by QEMU itself at its PVH note, no hypervisor) in the same run.

Two kernel command lines, each given to the floor and to Ward's domains alike: the plain one
(`loglevel=4`), and the same with `pci=off`, which `make run` gives its domains (a Ward domain
has no PCI bus; without it, Linux on QEMU's -cpu max probes for an AGP bridge 16,384 times, one
VM exit each, and its PCI scan finds nothing).

Each round boots, per command line, the floor, Ward with one guest and Ward with two guests, one
after the other, so that every Ward figure has a floor measured moments before it (the build
machine is shared and its speed drifts). For each boot: seconds from QEMU start to each guest's
first userspace line, from its domain's creation (Ward's 'domain N ... (label' line) to that
line, and the CPU seconds QEMU had used by then (less sensitive to other load than wall time).
Printed: every round, then medians, the median and range of the per-round Ward/floor ratios,
and the ratio of the fastest boots (the host's speed jumps between runs by up to 40%, and
noise only ever adds time, so the fastest boot of each is the steadiest estimate).
Ward is booted the direct way (QEMU loads its flat image and the modules: ward_hv_direct()).
Usage: bench_linux.py ONE TWO ONE_NOPCI TWO_NOPCI DIRECT_BOOT_PY QEMU VMLINUX INITRAMFS
       [--rounds N]"""
import argparse
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

USERSPACE = re.compile(r"^\[([a-z0-9_-]+)\] WARD-GUEST: userspace up")
FLOOR_USERSPACE = re.compile(r"^()WARD-GUEST: userspace up")
BUILT = re.compile(r"^ward: domain \d+ '([a-z0-9_-]+)' \(label")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def boot(cmd, guests, userspace, timeout=240):
    """Runs QEMU until `guests` userspace lines: {name: (wall, cpu)}, {name: built wall}, log."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    built, up, log = {}, {}, []
    for raw in proc.stdout:
        line = raw.decode(errors="replace").rstrip()
        log.append(line)
        now = time.monotonic() - start
        if (m := BUILT.match(line)):
            built.setdefault(m.group(1), now)
        if (m := userspace.match(line)) and m.group(1) not in up:
            up[m.group(1)] = (now, cpu_seconds(proc.pid))
        if len(up) == guests or now > timeout:
            break
    proc.kill()
    proc.wait()
    return up, built, log


def summary(name, rows, rounds):
    med = statistics.median
    f_wall = med(x[0] for x in rows["floor"])
    f_cpu = med(x[1] for x in rows["floor"])
    print(f"[{name}] linux floor (QEMU -kernel vmlinux, no hypervisor): QEMU start -> userspace "
          f"median {f_wall:.2f} s (cpu {f_cpu:.2f} s) over {rounds} rounds")
    for key, label in (("one", "one Linux guest"), ("two", "two Linux guests (the later)")):
        xs = rows[key]
        ratios = sorted(w / f[0] for (w, _, _), f in zip(xs, rows["floor"]))
        cpu_ratio = med(c / f[1] for (_, c, _), f in zip(xs, rows["floor"]))
        fastest = min(x[0] for x in xs) / min(x[0] for x in rows["floor"])
        print(f"[{name}] Ward, {label}: QEMU start -> userspace median "
              f"{med(x[0] for x in xs):.2f} s (cpu {med(x[1] for x in xs):.2f} s), domain "
              f"creation -> userspace {med(x[2] for x in xs):.2f} s; Ward/floor per round: "
              f"median {med(ratios):.2f}x wall (range {ratios[0]:.2f}-{ratios[-1]:.2f}), "
              f"{cpu_ratio:.2f}x cpu; fastest Ward / fastest floor {fastest:.2f}x")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("one")
    ap.add_argument("two")
    ap.add_argument("one_nopci")
    ap.add_argument("two_nopci")
    ap.add_argument("direct")
    ap.add_argument("qemu")
    ap.add_argument("vmlinux")
    ap.add_argument("initramfs")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location("direct_boot", a.direct)
    direct = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(direct)
    configs = (("plain", "", a.one, a.two), ("pci=off", "pci=off", a.one_nopci, a.two_nopci))
    # per command line, per round: (wall, cpu, creation->userspace)
    rows = {name: {"floor": [], "one": [], "two": []} for name, *_ in configs}
    for r in range(a.rounds):
        for name, extra, one, two in configs:
            up, _, log = boot(direct.floor_command(a.qemu, a.vmlinux, a.initramfs, extra), 1,
                              FLOOR_USERSPACE)
            if not up:
                print("\n".join(log[-25:]))
                sys.exit(f"bench-linux: the floor ({name}) never reached userspace")
            rows[name]["floor"].append((up[""][0], up[""][1], None))
            line = f"round {r + 1} [{name}]: floor {up[''][0]:.2f} s (cpu {up[''][1]:.2f})"
            for key, image, n in (("one", one, 1), ("two", two, 2)):
                up, built, log = boot(qemu_runner.qemu_command(image, memory="1536M"), n,
                                      USERSPACE)
                if len(up) < n:
                    print(f"Ward, {key} ({name}): only {len(up)} of {n} guests reached "
                          "userspace; the end of the log:")
                    print("\n".join("    " + l for l in log[-25:]))
                    sys.exit(1)
                last = max(up, key=lambda k: up[k][0])
                wall, cpu = up[last]
                rows[name][key].append((wall, cpu, max(up[k][0] - built.get(k, 0) for k in up)))
                line += f", {key} {wall:.2f} s (cpu {cpu:.2f}, creation->userspace " \
                        f"{rows[name][key][-1][2]:.2f})"
            print(line, flush=True)
    for name, *_ in configs:
        summary(name, rows[name], a.rounds)
    print("Anchors (testbeds.md section 11): Xen 4.17 dom0 userspace ~8.7 s, xl create of a PV "
          "guest ~6.4 s; goal: within 1.3x of the floor")


if __name__ == "__main__":
    main()
