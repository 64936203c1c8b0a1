#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG (AMD SVM + NPT) with Debian's kernel as a PVH domain and bad Linux
modules beside it, and judges the serial log (docs/linux-guest.md, tests/emu/linux_pvh/).

Checked: every bad module is refused with its reason while the rest boots; the Linux domain is
built with its initrd and reaches userspace through the milestones of
/work/shared/reference/linux-pvh-guest.md section 5.1, on the Ward log with its name prefixed;
its clock runs at the right rate (the initramfs times a 1 s sleep); it powers off and Ward sees
it; a second Linux domain panics (rdinit=/nonexistent) and Ward sees the crash through
SCHEDOP_shutdown without the first being disturbed (its timed 1 s sleep ends, it powers off
and the run ends by itself); the bystander test guest finishes.
Usage: linux_pvh_test.py full|panic IMAGE [--echo]  (IMAGE: a direct-boot manifest or an ISO)
"""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

# Lines that must appear (substring match), each with what it proves. Those of LINUX_ONLY must
# come from the 'linux' domain's console, prefixed with its name.
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
    ("printk: console [hvc0] enabled", "the PV console ring (hvc0) works"),
    ("installing Xen timer for CPU 0", "the Xen PV timer is bound (VCPUOP timers, VIRQ_TIMER)"),
    ("xen:grant_table: Grant tables using version 1 layout", "the grant table is mapped"),
    ("clocksource: Switched to clocksource xen", "the pvclock is Linux's clocksource"),
    ("WARD-GUEST: userspace up", "userspace reached (busybox /init on hvc0)"),
    ("WARD-GUEST: poweroff", "the guest powers off"),
    ("ward: domain 1 'linux' shutdown: poweroff (reason 0)",
     "it shut down through SCHEDOP_shutdown (privcmd from its /init) and Ward saw the reason"),
    ("[bystander] counter done", "the test guest beside them runs to its end"),
    ("ward: all domains have ended", "the run ends by itself"),
]
LINUX_ONLY = {n for n, _ in EXPECTED
              if n.split()[0] not in ("refused:", "does", "'linux'", "'panicky'", "ward:",
                                      "[bystander]", "Kernel")}
DONE = "ward: all domains have ended"

# Mode "panic": a Linux domain that panics (rdinit=/nonexistent) and one that boots beside it.
PANIC_EXPECTED = [
    ("'panicky' (label panicky_t): 160 MiB", "the panicking Linux domain is built"),
    ("'linux' (label linux_t): 160 MiB", "the second Linux domain is built"),
    ("Kernel panic - not syncing", "the first guest panics"),
    ("ward: domain 1 'panicky' shutdown: crash", "Ward saw the panic through SCHEDOP_shutdown"),
    ("WARD-GUEST: userspace up", "the other guest still reaches userspace"),
    ("WARD-GUEST: poweroff", "the other guest's 1 s sleep ends and it powers off"),
    ("ward: domain 2 'linux' halted with interrupts disabled", "Ward saw its poweroff"),
    ("ward: all domains have ended", "the run ends by itself"),
]
PANIC_DONE = "ward: all domains have ended"


def main():
    global DONE, EXPECTED
    mode, iso = sys.argv[1], sys.argv[2]
    if mode == "panic":
        EXPECTED, DONE = PANIC_EXPECTED, PANIC_DONE
    echo = "--echo" in sys.argv
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    if not os.path.exists(iso):
        print(f"FAIL: image not built: {iso}")
        return 1
    cmd = qemu_runner.qemu_command(iso, memory="1536M")
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
    if proc.poll() is None:
        time.sleep(2)  # let the log catch up
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    failures = []
    for needle, meaning in EXPECTED:
        hit = next(((t, l) for t, l in lines if needle in l and
                    (needle not in LINUX_ONLY or l.startswith("[linux] "))), None)
        if hit is None:
            failures.append(f"missing '{needle}': {meaning}")
        else:
            print(f"ok  {hit[0]:7.2f}s  {meaning}")
    slept = [l for _, l in lines if l.startswith("[linux] WARD-GUEST: slept 1s")]
    if not slept:
        failures.append("no clock check line from the guest")
    else:
        t0, t1 = (float(x) for x in slept[0].split("uptime ")[1].split(" -> "))
        if not 0.9 <= t1 - t0 <= 1.6:
            failures.append(f"guest clock ran wrong: 1 s of sleep took {t1 - t0:.2f} s of uptime")
        else:
            print(f"ok  guest clock: 1 s of sleep took {t1 - t0:.2f} s of its uptime")
    if proc.returncode != (0x10 << 1) | 1:
        failures.append(f"QEMU exit status {proc.returncode}, not 33 (all domains ended)")
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
