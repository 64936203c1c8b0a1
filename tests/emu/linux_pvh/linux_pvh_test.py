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
import sys

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
TIMEOUT = 240  # seconds; the safety net only: a run ends by itself


def clock_check(verdict, run):
    """The guest's clock must run at the right rate: the uptime it prints at userspace and after
    its timed `sleep 1` must advance as much as the host's clock between the two lines reaching
    the serial log (pvclock, not the load of the machine, sets the guest's time), and the sleep
    must neither return early nor hang on a lost timer."""
    up = [(t, l) for t, l in run.lines if l.startswith("[linux] WARD-GUEST: userspace up ")]
    slept = [(t, l) for t, l in run.lines if l.startswith("[linux] WARD-GUEST: slept 1s")]
    if not up or not slept:
        verdict.fail("no clock check lines from the guest")
        return
    h0, u0 = up[0][0], float(up[0][1].rsplit(" ", 1)[1])
    h1 = slept[0][0]
    t0, t1 = (float(x) for x in slept[0][1].split("uptime ")[1].split(" -> "))
    verdict.check(0.99 <= t1 - t0 <= 5.0,
                  f"guest timer: 1 s of sleep took {t1 - t0:.2f} s of its uptime",
                  f"guest timer wrong: 1 s of sleep took {t1 - t0:.2f} s of uptime")
    guest, host = t1 - u0, h1 - h0
    verdict.check(abs(guest - host) <= 0.3 + 0.2 * host,
                  f"guest clock: {guest:.2f} s of uptime over {host:.2f} s of host time",
                  f"guest clock ran wrong: {guest:.2f} s of uptime over {host:.2f} s of host time")


def main():
    global DONE, EXPECTED
    mode, iso = sys.argv[1], sys.argv[2]
    if mode == "panic":
        EXPECTED, DONE = PANIC_EXPECTED, PANIC_DONE
    qemu_runner.skip_if_unavailable()
    qemu_runner.require(iso)
    # Ward ends the run through isa-debug-exit right after DONE: the grace lets it, and a QEMU
    # that lingers is killed and fails the exit status check.
    run = qemu_runner.boot(iso, timeout=TIMEOUT, echo="--echo" in sys.argv, memory="1536M",
                           until=DONE)
    verdict = qemu_runner.Verdict(run)
    verdict.not_timed_out(TIMEOUT, f"'{DONE}'")
    for needle, meaning in EXPECTED:
        verdict.marker(needle, meaning, "[linux] " if needle in LINUX_ONLY else "")
    clock_check(verdict, run)
    if run.returncode != qemu_runner.EXIT_ALL_DOMAINS_ENDED:
        verdict.fail(f"QEMU exit status {run.returncode}, not 33 (all domains ended)")
    verdict.hypervisor_sound()
    return verdict.finish(tail=60)


if __name__ == "__main__":
    sys.exit(main())
