#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""QEMU boot tests of Ward's hypervisor (SVM backend).

  qemu_boot_test.py system ISO     the default system: two counters, a rogue, a guest that shuts
                                   down with a reason, a control domain with capabilities, a
                                   64-bit guest
  qemu_boot_test.py bad-modules ISO  one good domain among malformed modules
  qemu_boot_test.py no-npt ISO      -cpu qemu64 (SVM without nested paging): a clear refusal
  qemu_boot_test.py no-virt ISO     -cpu Skylake-Client (neither SVM nor VMX): a clear refusal
  --cpu MODEL (before the scenario) boots another QEMU CPU model, e.g. EPYC

Every check reads the serial log; the run must end by itself through isa-debug-exit.
"""
import re
import sys

import qemu_runner

failures = []


def expect(cond, what):
    print(("ok      " if cond else "FAILED  ") + what)
    if not cond:
        failures.append(what)


def has(run, pattern):
    rx = re.compile(pattern)
    return any(rx.search(line) for line in run.text())


def checks_ok(run, domain, names):
    for n in names:
        expect(has(run, rf"^\[{domain}\] check {n} ok$"), f"{domain}: check {n} returned the right value")


def common(run, built, total):
    expect(not run.timed_out, "the run ended by itself (no timeout)")
    expect(run.returncode == qemu_runner.EXIT_ALL_DOMAINS_ENDED,
           f"QEMU exit status {run.returncode} is 'all domains ended' ({qemu_runner.EXIT_ALL_DOMAINS_ENDED})")
    expect(has(run, r"SMEP on, SMAP on"), "SMEP and SMAP are on")
    expect(has(run, rf"ward: {built} of {total} domain\(s\) built"), f"{built} of {total} domains built")
    expect(not has(run, r"FAILED"), "no guest check failed")
    expect(not has(run, r"hypervisor exception|PANIC"), "no hypervisor exception or panic")
    expect(has(run, r"ward: all domains have ended"), "summary printed")


def count_order(run, domain):
    return [i for i, line in enumerate(run.text()) if re.match(rf"^\[{domain}\] count \d+$", line)]


def system(run):
    common(run, 6, 6)
    counter_checks = ["xen_version", "xen_extraversion", "extraversion_text", "unknown_hypercall",
                      "unknown_sched_op", "unknown_xenver", "console_bad_buffer", "memory_map",
                      "memory_map_entries", "memory_map_matches_start_info",
                      "domctl_without_capability", "domctl_old_interface", "domctl_unknown",
                      "rep_outsb_registers", "rep_insb_all_ones", "inb_all_ones",
                      "shutdown_bad_reason", "yield"]
    for d in ("alpha", "beta"):
        checks_ok(run, d, counter_checks)
        expect(has(run, rf"^\[{d}\] counter done$"), f"{d} finished")
        expect(has(run, rf"^\[{d}\] rep outsb reached the console$"), f"{d}: rep outsb to port 0xE9 reached the console")
        expect(has(run, rf"domain \d+ '{d}' shutdown: poweroff \(reason 0\)"), f"{d} powered off")
        m = [re.search(r"preemptions (\d+)", l) for l in run.text()
             if re.match(rf"ward: summary: domain \d+ '{d}'", l)]
        expect(bool(m) and m[0] is not None and int(m[0].group(1)) > 0, f"{d} was preempted by the timer")
    # Interleaving in the first half of the counts, where the counters never yield: only
    # preemption can alternate them.
    a, b = count_order(run, "alpha"), count_order(run, "beta")
    expect(len(a) == 8 and len(b) == 8, "both counters printed 8 lines")
    if len(a) == 8 and len(b) == 8:
        # Lines 1-4 come before any yield: if either counter's first four lines have a line of the
        # other in between, the timer took the CPU away (cooperative scheduling could not).
        expect(any(a[0] < x < a[3] for x in b) or any(b[0] < x < b[3] for x in a),
               "counter output interleaves before any yield (preemption)")
        expect(any(a[0] < x < a[-1] for x in b), "beta printed between alpha's first and last line")
    # Isolation.
    expect(has(run, r"^\[rogue\] check rogue_domctl_pause ok$"), "rogue's domctl was refused (-EPERM)")
    expect(has(run, r"domain 3 'rogue' destroyed: nested page fault: read access to GPA 0x4000000 "
                    r"outside its memory at RIP 0x[0-9a-f]+"),
           "rogue destroyed with its domain, GPA and RIP logged")
    expect(not has(run, r"rogue SURVIVED"), "rogue never read foreign memory")
    ri = run.index(lambda l: "'rogue' destroyed" in l)
    ai = run.index(lambda l: l == "[alpha] counter done")
    expect(ri >= 0 and ai > ri, "the other domains kept running after the rogue was destroyed")
    # Shutdown with a reason, block.
    checks_ok(run, "quitter", ["block"])
    expect(has(run, r"domain 4 'quitter' shutdown: reboot \(reason 1\)"), "quitter shut down with reason reboot")
    # Capabilities.
    checks_ok(run, "rogue", ["rogue_console_read"])
    checks_ok(run, "admin", ["info", "info_domid", "info_missing_domain", "console_read",
                             "console_read_positive",
                             "pause", "pause_again", "unpause", "create_without_capability"])
    expect(has(run, r"domain 1 'alpha' paused by domain 5") and has(run, r"domain 1 'alpha' unpaused by domain 5"),
           "admin paused and unpaused alpha")
    # The 64-bit guest: long-mode calling convention, buffers through its own page tables.
    checks_ok(run, "lm", ["lm_xen_version", "lm_console_alias", "lm_extraversion_alias",
                          "lm_extraversion_text", "lm_unmapped_buffer", "lm_noncanonical_buffer",
                          "lm_memory_map", "lm_memory_map_entries", "lm_memory_map_ram",
                          "lm_fs_base_msr", "lm_efer_lma", "lm_unknown_hypercall"])
    expect(has(run, r"^\[lm\] hello through the alias mapping$"), "console write through a guest-virtual alias")
    expect(has(run, r"domain 6 'lm' shutdown: poweroff"), "the 64-bit guest powered off")
    first = run.first(lambda l: l.startswith("ward: entering domain"))
    if first:
        print(f"info    QEMU start -> first domain entry: {first[0] * 1000:.0f} ms")


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
        expect(has(run, r"^ward: " + pattern), what)
    expect(has(run, r"^\[good\] counter done$"), "the good domain booted and finished")


def domctl_create(run):
    common(run, 2, 2)
    checks_ok(run, "creator", ["create_escalation", "create_truncated", "create_bad_cmdline",
                               "create_too_big", "create_bad_buffer", "create_temp", "destroy_temp",
                               "create_child", "child_domid", "child_info", "child_name",
                               "child_caps"])
    expect(has(run, r"^\[creator\] creator done$"), "creator finished")
    expect(has(run, r"^ward: domctl create by domain 1 'creator' refused: caps= grants 'policy', "
                    r"which the caller does not hold$"), "capability escalation refused and logged")
    expect(has(run, r"^ward: domctl create by domain 1 'creator' refused: bad ELF image"),
           "truncated image refused and logged")
    expect(has(run, r"^ward: domctl create by domain 1 'creator' refused: bad command line"),
           "bad command line refused and logged")
    created = [re.search(r"created by domain 1 'creator' \(free frames before: (\d+), charged: (\d+) of (\d+)\)", l)
               for l in run.text() if "created by domain 1 'creator'" in l]
    created = [m for m in created if m]
    expect(len(created) == 5, f"five domains created at run time ({len(created)})")
    temps = [int(m.group(1)) for m in created[:4]]
    # Consecutive create+destroy rounds leave the free count as it was, unless another domain
    # (the bystander) ended in between and gave its frames back: such a pair is not compared.
    text = run.text()
    at = [i for i, l in enumerate(text) if "created by domain 1 'creator'" in l][:4]
    other_end = [i for i, l in enumerate(text)
                 if re.match(r"^ward: domain \d+ '(?!temp')[^']*' (shutdown|destroyed|killed)", l)]
    pairs = [(a, b) for a, b in zip(range(len(at)), range(1, len(at)))
             if not any(at[a] < e < at[b] for e in other_end)]
    expect(len(pairs) >= 2 and all(temps[a] == temps[b] for a, b in pairs),
           f"destroying a domain returns every frame (free before each create: {temps}, "
           f"rounds compared: {pairs})")
    expect(all(int(m.group(2)) > (int(m.group(3)) - 32) for m in created),
           "nested page tables and VMCB charged beyond guest RAM")
    expect(has(run, r"^\[child\] counter done$"), "the created counter domain ran to its end")
    checks_ok(run, "child", ["xen_version", "memory_map", "domctl_without_capability"])
    expect(has(run, r"domain \d+ 'child' shutdown: poweroff"), "the created domain powered off")
    expect(has(run, r"^\[bystander\] counter done$"), "the bystander kept running")


def refused(run, reason):
    expect(not run.timed_out, "the run ended by itself (no timeout)")
    expect(run.returncode == qemu_runner.EXIT_BOOT_FAILED,
           f"QEMU exit status {run.returncode} is 'boot failed' ({qemu_runner.EXIT_BOOT_FAILED})")
    expect(has(run, r"^ward: no virtualization backend: " + re.escape(reason) + "$"), f"log names the cause: {reason}")
    expect(has(run, r"^ward: boot failed: hardware virtualization unavailable$"), "boot failure logged")
    expect(not has(run, r"entering domain|hypervisor exception"), "no domain ran, no exception")


def main():
    qemu_runner.skip_if_unavailable()
    args = sys.argv[1:]
    cpu = "max"
    if args[0] == "--cpu":
        cpu, args = args[1], args[2:]
    scenario, iso = args[0], args[1]
    cpu = {"no-npt": "qemu64", "no-virt": "Skylake-Client"}.get(scenario, cpu)
    run = qemu_runner.boot(iso, cpu=cpu)
    {"system": system, "bad-modules": bad_modules, "domctl-create": domctl_create,
     "no-npt": lambda r: refused(r, "the CPU has no nested paging (NPT/EPT)"),
     "no-virt": lambda r: refused(r, "the CPU has neither AMD SVM nor Intel VMX")}[scenario](run)
    if failures:
        print("\n--- serial log ---")
        for stamp, line in run.lines:
            print(f"[{stamp:8.3f}] {line}")
        print(f"\n{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
