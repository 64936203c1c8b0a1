#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG (AMD SVM + NPT) with Debian's kernel as a PVH domain and bad Linux
modules beside it, and judges the serial log (docs/linux-guest.md, tests/emu/linux_pvh/).

Checked: every bad module is refused with its reason while the rest boots; the Linux domain is
built with its initrd; the kernel runs in the domain and its early console reaches the Ward log
with the domain prefix; it gets past the Xen detection; the bystander test guest finishes.
Usage: linux_pvh_test.py ISO [--echo]
"""
import os
import shutil
import subprocess
import sys
import threading
import time

# Lines that must appear (substring match), each with what it proves.
EXPECTED = [
    ("refused: bad ELF image", "the truncated vmlinux is refused as a corrupted image"),
    ("refused: no usable PVH entry", "the vmlinux without its PVH note is refused"),
    ("does not fit in mem= after the image", "an initrd that does not fit is refused"),
    ("refused: initrd_for= names no domain module", "an initrd nobody claims is refused"),
    ("'linux' (label linux_t): 160 MiB", "the Linux domain is built"),
    ("ward: domain 1 'linux': initrd", "its initrd is loaded as module 0"),
    ("Linux version 6.1", "the kernel entered at its PVH note prints on the early console"),
    ("Hypervisor detected: Xen HVM", "Linux found the Xen CPUID leaves"),
    ("Command line: console=hvc0", "the command line reached it through hvm_start_info"),
    ("ACPI: RSDP 0x00000000000E0000", "the ACPI tables are found through rsdp_paddr"),
    ("ACPI: Using ACPI for processor (LAPIC) configuration", "Linux read the MADT"),
    ("tsc: Detected", "the TSC frequency came from the pvclock"),
    ("xen:events: Xen HVM callback vector for event delivery is enabled", "event upcall vector"),
    ("installing Xen timer for CPU 0", "the Xen PV timer is bound (VCPUOP timers, VIRQ_TIMER)"),
    ("[bystander]", "the test guest beside it runs"),
]
# Lines Linux prints: they must come from the domain's console, prefixed with its name.
LINUX_ONLY = {n: True for n, _ in EXPECTED if n.split()[0] not in ("refused:", "does", "'linux'",
                                                                   "ward:", "[bystander]")}
# When the last of these has been seen the run can stop early.
DONE = "installing Xen timer for CPU 0"


def main():
    global DONE
    iso = sys.argv[1]
    if len(sys.argv) > 2 and not sys.argv[2].startswith("--"):
        DONE = sys.argv[2]  # exploring: run until this line (or the end)
    echo = "--echo" in sys.argv
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    if not os.path.exists(iso):
        print(f"FAIL: ISO not built: {iso}")
        return 1
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-machine", "q35",
           "-m", "1536M", "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", iso]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = []
    done = threading.Event()

    def reader():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lines.append((time.monotonic() - start, line))
            if echo:
                print(f"[{lines[-1][0]:8.3f}] {line}", flush=True)
            if DONE in line:
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(timeout=240)
    time.sleep(2)  # let the bystander and the log catch up
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    failures = []
    for needle, meaning in EXPECTED:
        hit = next(((t, l) for t, l in lines if needle in l and
                    (not LINUX_ONLY.get(needle) or l.startswith("[linux] "))), None)
        if hit is None:
            failures.append(f"missing '{needle}': {meaning}")
        else:
            print(f"ok  {hit[0]:7.2f}s  {meaning}")
    for t, l in lines:
        if "ward: PANIC" in l or "hypervisor exception" in l.lower():
            failures.append(f"the hypervisor failed: {l}")
    if failures:
        print("\n".join(l for _, l in lines[-60:]))
        for f in failures:
            print("FAIL:", f)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
