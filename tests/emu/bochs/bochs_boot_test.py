#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bochs boot tests of Ward's hypervisor (Intel VMX backend with EPT).

  bochs_boot_test.py system ISO        the default system, judged by the QEMU test's own checks
                                       (tests/emu/qemu/qemu_boot_test.py: preemption, hypercalls,
                                       rogue destroyed while the others finish, capabilities, the
                                       64-bit guest) plus the VMX checks below
  bochs_boot_test.py bad-modules ISO   one good domain among malformed modules (same reuse)
  bochs_boot_test.py no-ept ISO        a VMX CPU without EPT (Core 2 Penryn): clear boot message
  bochs_boot_test.py no-unrestricted ISO  VMX with EPT but no unrestricted guest (Lynnfield)
  bochs_boot_test.py no-virt ISO       a 64-bit CPU with neither VMX nor SVM (Prescott)

Every check reads the serial log; the exit status is the value the hypervisor writes to the
isa-debug-exit port, which Bochs logs (bochs_runner.py).
"""
import os
import sys

import bochs_runner

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_boot_test  # noqa: E402  (the SVM scenarios: the same checks must pass on VMX)
import qemu_runner  # noqa: E402

failures = []


def expect(cond, what):
    print(("ok      " if cond else "FAILED  ") + what)
    if not cond:
        failures.append(what)


def vmx_backend(run):
    expect(run.has(r"^cpu: Intel VMX offered$"), "the CPU offers VMX and the VMX branch is taken")
    expect(run.has(r"^vmx: revision 0x[0-9a-f]+, VMCS 4096 bytes, TRUE controls; EPT 4-level write-back"),
           "VMX capabilities decoded from the capability MSRs")
    expect(run.has(r"^vmx: cpu 0: VMXON ok"), "VMXON succeeded on cpu 0")
    expect(run.has(r"^ward: backend vmx enabled on cpu 0$"), "the kernel runs on the VMX backend")
    expect(not run.has(r"VM entry failed|unhandled exit"), "no VM entry failure or unhandled exit")


def system(run):
    vmx_backend(run)
    expect(run.has(r"domain 3 'rogue' destroyed: nested page fault"),
           "the rogue's foreign read ended in an EPT violation")
    qemu_boot_test.system(run)
    first = run.first(lambda l: l.startswith("ward: entering domain"))
    if first:
        print(f"info    Bochs start -> first domain entry: {first[0]:.1f} s (wall)")


def bad_modules(run):
    vmx_backend(run)
    qemu_boot_test.bad_modules(run)


def boot_refused(run, message_rx, what):
    expect(run.ended and not run.timed_out, "the run ended by itself (no timeout, no triple fault)")
    expect(run.returncode == qemu_runner.EXIT_BOOT_FAILED,
           f"exit status {run.returncode} is 'boot failed' ({qemu_runner.EXIT_BOOT_FAILED})")
    expect(not run.bochs_exited, "Bochs did not stop on a triple fault or panic")
    expect(run.has(message_rx), what)
    expect(run.has(r"^ward: boot failed: hardware virtualization unavailable$"),
           "the boot stops with a clear message")
    expect(not run.has(r"hypervisor exception|PANIC|VMXON ok"), "no exception, no VMXON attempted")


SCENARIOS = {
    "system": ("corei7_skylake_x", system),
    "bad-modules": ("corei7_skylake_x", bad_modules),
    "no-ept": ("core2_penryn_t9600", lambda r: boot_refused(
        r, r"^vmx: this CPU cannot run Ward's VMX backend: no EPT \(extended page tables\)$",
        "missing EPT is named")),
    "no-unrestricted": ("corei5_lynnfield_750", lambda r: boot_refused(
        r, r"^vmx: this CPU cannot run Ward's VMX backend: no unrestricted guest",
        "missing unrestricted guest is named")),
    "no-virt": ("p4_prescott_celeron_336", lambda r: boot_refused(
        r, r"^ward: no virtualization backend: the CPU has neither AMD SVM nor Intel VMX$",
        "a CPU without VMX or SVM is named")),
}


def main():
    bochs_runner.skip_if_unavailable()
    scenario, iso = sys.argv[1], sys.argv[2]
    model, check = SCENARIOS[scenario]
    run = bochs_runner.boot(iso, model=model, timeout=float(sys.argv[3]) if len(sys.argv) > 3 else 100)
    print(f"info    Bochs model {model}, wall time {run.wall:.1f} s, exit status {run.returncode}")
    check(run)
    failed = failures + qemu_boot_test.failures
    if failed:
        run.dump()
        print(f"\n{len(failed)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
