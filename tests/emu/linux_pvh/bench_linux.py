#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench-linux: Debian's kernel on Ward under QEMU TCG, one guest and two guests, next to the
floor (the same kernel entered by QEMU itself at its PVH note, no hypervisor) in the same run.
Reports seconds from QEMU start to each guest's first userspace line and from its domain's
creation (Ward's 'domain N ... built' log line) to that line.
Ward is booted the direct way (QEMU loads its flat image and the modules: ward_hv_direct()).
Usage: bench_linux.py ONE_IMAGE TWO_IMAGE DIRECT_BOOT_PY QEMU VMLINUX INITRAMFS"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

USERSPACE = re.compile(r"^\[([a-z0-9_-]+)\] WARD-GUEST: userspace up")
BUILT = re.compile(r"^ward: domain \d+ '([a-z0-9_-]+)' \(label")


def ward_run(iso, guests, timeout=240):
    cmd = qemu_runner.qemu_command(iso, memory="1536M")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    built, up, log = {}, {}, []
    for raw in proc.stdout:
        line = raw.decode(errors="replace").rstrip()
        log.append(line)
        now = time.monotonic() - start
        if (m := BUILT.match(line)):
            built.setdefault(m.group(1), now)
        if (m := USERSPACE.match(line)):
            up.setdefault(m.group(1), now)
        if len(up) == guests or now > timeout:
            break
    proc.kill()
    proc.wait()
    return built, up, log


def main():
    one, two, direct, qemu, vmlinux, initramfs = sys.argv[1:7]
    out = subprocess.run([sys.executable, direct, qemu, vmlinux, initramfs, "--runs", "3"],
                         stdout=subprocess.PIPE, text=True)
    print(out.stdout.strip())
    for label, iso, n in (("one Linux guest", one, 1), ("two Linux guests", two, 2)):
        built, up, log = ward_run(iso, n)
        print(f"Ward, {label}:")
        for name in sorted(up):
            print(f"  {name}: QEMU start -> userspace {up[name]:.2f} s, "
                  f"domain creation -> userspace {up[name] - built.get(name, 0):.2f} s")
        if len(up) < n:
            print(f"  only {len(up)} of {n} guests reached userspace; the end of the log:")
            print("\n".join("    " + l for l in log[-25:]))
    print("Anchors (testbeds.md section 11): Xen 4.17 dom0 userspace ~8.7 s, xl create of a PV "
          "guest ~6.4 s; goal: within 1.3x of the floor")


if __name__ == "__main__":
    main()
