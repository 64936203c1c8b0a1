#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bochs boot tests of Ward's hypervisor (Intel VMX backend with EPT).

  bochs_boot_test.py system ISO        the default system (as the QEMU test): two counters that
                                       must be preempted, a rogue that must be destroyed while
                                       the others finish, a guest that shuts down with a reason,
                                       a control domain with capabilities
  bochs_boot_test.py bad-modules ISO   one good domain among malformed modules
  bochs_boot_test.py no-ept ISO        a VMX CPU without EPT (Core 2 Penryn): clear boot message
  bochs_boot_test.py no-unrestricted ISO  VMX with EPT but no unrestricted guest (Lynnfield)
  bochs_boot_test.py no-virt ISO       a 64-bit CPU with neither VMX nor SVM (Prescott)

Every check reads the serial log. Bochs has no isa-debug-exit, so "ended by itself" means the
hypervisor printed its final line before the safety timeout.
"""
import re
import sys

import bochs_runner

failures = []


def expect(cond, what):
    print(("ok      " if cond else "FAILED  ") + what)
    if not cond:
        failures.append(what)


def checks_ok(run, domain, names):
    for n in names:
        expect(run.has(rf"^\[{domain}\] check {n} ok$"), f"{domain}: check {n} returned the right value")


def vmx_backend(run):
    expect(run.has(r"^cpu: Intel VMX offered$"), "the CPU offers VMX and the VMX branch is taken")
    expect(run.has(r"^vmx: revision 0x[0-9a-f]+, VMCS 4096 bytes, TRUE controls; EPT 4-level write-back"),
           "VMX capabilities decoded from the capability MSRs")
    expect(run.has(r"^vmx: cpu 0: VMXON ok"), "VMXON succeeded on cpu 0")
    expect(run.has(r"^ward: backend vmx enabled on cpu 0$"), "the kernel runs on the VMX backend")
    expect(not run.has(r"VM entry failed|unhandled exit"), "no VM entry failure or unhandled exit")


def common(run, built, total):
    expect(run.ended and not run.timed_out, "the run ended by itself (no timeout)")
    vmx_backend(run)
    expect(run.has(rf"ward: {built} of {total} domain\(s\) built"), f"{built} of {total} domains built")
    expect(not run.has(r"FAILED"), "no guest check failed")
    expect(not run.has(r"hypervisor exception|PANIC"), "no hypervisor exception or panic")
    expect(run.has(r"^ward: all domains have ended$"), "summary printed")


def count_order(run, domain):
    return [i for i, line in enumerate(run.text()) if re.match(rf"^\[{domain}\] count \d+$", line)]


def system(run):
    common(run, 5, 5)
    counter_checks = ["xen_version", "xen_extraversion", "extraversion_text", "unknown_hypercall",
                      "unknown_sched_op", "unknown_xenver", "console_bad_buffer", "memory_map",
                      "memory_map_entries", "memory_map_matches_start_info",
                      "domctl_without_capability", "domctl_old_interface", "domctl_unknown",
                      "shutdown_bad_reason", "yield"]
    for d in ("alpha", "beta"):
        checks_ok(run, d, counter_checks)
        expect(run.has(rf"^\[{d}\] counter done$"), f"{d} finished")
        expect(run.has(rf"domain \d+ '{d}' shutdown: poweroff \(reason 0\)"), f"{d} powered off")
        m = [re.search(r"preemptions (\d+)", l) for l in run.text()
             if re.match(rf"ward: summary: domain \d+ '{d}'", l)]
        expect(bool(m) and m[0] is not None and int(m[0].group(1)) > 0, f"{d} was preempted by the timer")
    a, b = count_order(run, "alpha"), count_order(run, "beta")
    expect(len(a) == 8 and len(b) == 8, "both counters printed 8 lines")
    if len(a) == 8 and len(b) == 8:
        # The first four lines come before any yield: only preemption can interleave them.
        expect(any(a[0] < x < a[3] for x in b) or any(b[0] < x < b[3] for x in a),
               "counter output interleaves before any yield (preemption)")
    # Isolation: the EPT violation destroys only the rogue.
    expect(run.has(r"^\[rogue\] check rogue_domctl_pause ok$"), "rogue's domctl was refused (-EPERM)")
    expect(run.has(r"domain 3 'rogue' destroyed: nested page fault: read access to GPA 0x4000000 "
                   r"outside its memory at RIP 0x[0-9a-f]+"),
           "rogue destroyed by an EPT violation, with its domain, GPA and RIP logged")
    expect(not run.has(r"rogue SURVIVED"), "rogue never read foreign memory")
    ri = run.index(lambda l: "'rogue' destroyed" in l)
    ai = run.index(lambda l: l == "[alpha] counter done")
    bi = run.index(lambda l: l == "[beta] counter done")
    expect(ri >= 0 and ai > ri and bi > ri, "the other domains kept running after the rogue was destroyed")
    checks_ok(run, "quitter", ["block"])
    expect(run.has(r"domain 4 'quitter' shutdown: reboot \(reason 1\)"), "quitter shut down with reason reboot")
    checks_ok(run, "rogue", ["rogue_console_read"])
    checks_ok(run, "admin", ["info", "info_domid", "info_missing_domain", "console_read",
                             "console_read_positive", "pause", "pause_again", "unpause",
                             "create_without_capability"])
    first = run.first(lambda l: l.startswith("ward: entering domain"))
    if first:
        print(f"info    Bochs start -> first domain entry: {first[0]:.1f} s (wall)")


def bad_modules(run):
    common(run, 1, 7)
    refusals = [
        (r"module 1 '.*' refused: bad ELF image: truncated", "truncated ELF refused"),
        (r"module 2 '.*' refused: bad ELF image: not an ELF file", "non-ELF module refused"),
        (r"module 3 '.*' refused: no usable PVH entry: no PVH entry point|module 3 '.*' refused: bad ELF image",
         "ELF without a PVH note refused"),
        (r"module 4 '.*' refused: bad command line: ", "bad module command line refused"),
        (r"module 5 '.*' refused: not enough free host memory", "oversized domain refused"),
        (r"module 6 '.*' refused: the image does not fit", "image larger than mem= refused"),
    ]
    for pattern, what in refusals:
        expect(run.has(r"^ward: " + pattern), what)
    expect(run.has(r"^\[good\] counter done$"), "the good domain booted and finished")


def boot_refused(run, message_rx, what):
    expect(run.ended and not run.timed_out, "the run ended by itself (no timeout, no triple fault)")
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
    print(f"info    Bochs model {model}, wall time {run.wall:.1f} s")
    check(run)
    if failures:
        run.dump()
        print(f"\n{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
