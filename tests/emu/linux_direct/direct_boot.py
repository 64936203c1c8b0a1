#!/usr/bin/env python3
"""Boots Debian's kernel (the vmlinux the build unpacked) straight from QEMU at its PVH note,
with no hypervisor, and checks the busybox initramfs reached userspace, kept time and powered
off. This proves the guest images Ward boots are sound, and it is the floor Ward's Linux boot
is measured against (bench mode: --runs N prints the median time to userspace)."""
import argparse
import statistics
import subprocess
import sys
import time


def floor_command(qemu, vmlinux, initramfs, extra=""):
    """The floor: QEMU enters the kernel at its PVH note itself (also used by bench_linux.py,
    which passes the same `extra` kernel parameters as its Ward domains get)."""
    return [qemu, "-accel", "tcg", "-cpu", "max", "-m", "512", "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nic", "none",
            "-kernel", vmlinux, "-initrd", initramfs,
            "-append", ("console=ttyS0 rdinit=/init panic=-1 loglevel=4 " + extra).strip()]


def boot(args):
    cmd = floor_command(args.qemu, args.vmlinux, args.initramfs)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines, userspace_at = [], None
    deadline = start + args.timeout
    for raw in proc.stdout:
        line = raw.decode(errors="replace").rstrip()
        lines.append(line)
        if userspace_at is None and "WARD-GUEST: userspace up" in line:
            userspace_at = time.monotonic() - start
        if time.monotonic() > deadline:
            proc.kill()
            break
    proc.wait()
    return proc.returncode, lines, userspace_at


def check(lines, rc, userspace_at):
    text = "\n".join(lines)
    errors = []
    if userspace_at is None:
        errors.append("the guest never reached userspace")
    slept = [l for l in lines if "WARD-GUEST: slept 1s" in l]
    if not slept:
        errors.append("no clock check line")
    else:
        t0, t1 = (float(x) for x in slept[0].split("uptime ")[1].split(" -> "))
        if not 0.9 <= t1 - t0 <= 1.6:
            errors.append(f"guest clock ran wrong: 1 s of sleep took {t1 - t0:.2f} s of uptime")
    if "WARD-GUEST: poweroff" not in text or rc != 0:
        errors.append(f"no clean poweroff (QEMU exit code {rc})")
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qemu")
    ap.add_argument("vmlinux")
    ap.add_argument("initramfs")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--runs", type=int, default=0, help="bench mode: boot N times, print figures")
    args = ap.parse_args()
    if args.runs:
        times = []
        for _ in range(args.runs):
            rc, lines, at = boot(args)
            errors = check(lines, rc, at)
            if errors:
                print("\n".join(lines[-20:]))
                sys.exit("bench-linux-floor: " + "; ".join(errors))
            times.append(at)
        print(f"linux floor (QEMU -kernel vmlinux, no hypervisor): QEMU start -> userspace: "
              f"median {statistics.median(times):.2f} s, min {min(times):.2f} s over {len(times)} runs")
        return
    rc, lines, at = boot(args)
    errors = check(lines, rc, at)
    if errors:
        print("\n".join(lines[-40:]))
        sys.exit("FAIL: " + "; ".join(errors))
    print(f"ok: Debian kernel reached userspace {at:.2f} s after QEMU start, clock right, powered off")


if __name__ == "__main__":
    main()
