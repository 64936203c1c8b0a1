#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG with a Linux store domain (wardstore over gntdev/evtchn) and two
Linux guests, and judges the serial log (docs/store-domain.md, tests/emu/linux_store/).

Checked: the store domain (caps=store) is built first; alpha gets a store ring and port served
by it; wardstore introduces alpha (mapping its grant ref 1, binding its port); in alpha xenbus
came up (the kernel's xenbus IRQ exists), /init read the home's name the store made, wrote a key
and read it back; a small non-store guest with alpha's label is refused when it maps alpha's
grant ref 1 (GNTST_general_error, logged by Ward) or binds alpha's store port; alpha powers off
and the store releases it (VIRQ_DOM_EXC). The run is stopped once the release is seen.
Usage: linux_store_test.py IMAGE [--echo]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

# (needle, console prefix or None for Ward's own lines, meaning)
EXPECTED = [
    ("ward: domain 1 'store' (label store_t): 160 MiB, caps store", None,
     "the store domain is built first, with only the store capability"),
    ("ward: domain 2 'alpha': store ring pfn 0xee, port 2, served by domain 1 'store'", None,
     "alpha gets its store ring and port, served by the store domain"),
    ("ward: domain 3 'probe': grant map of domain 2 ref 1 at 0x10000000 refused: general error",
     None, "a non-store domain with alpha's label cannot map alpha's grant ref 1"),
    ("ref1-probe: map of domain 2 grant ref 1: hypercall 0, status 1 refused", "probe",
     "the probe sees GNTST_general_error"),
    ("ref1-probe: bind of domain 2 store port: error 22 refused", "probe",
     "nor bind alpha's store port (its remote is the store domain)"),
    ("WARD-STORE: userspace up", "store", "the store domain reaches userspace"),
    ("wardstore: store domain serving rings", "store", "wardstore-domain runs over gntdev/evtchn"),
    ("wardstore: domain 2: ring (grant ref 1", "store", "alpha's grant ref 1 mapped, port bound"),
    ("wardstore: introduced domain 2 'alpha'", "store", "the store introduced alpha"),
    ("WARD-GUEST: xenbus irq present", "alpha", "alpha's xenbus came up"),
    ("WARD-GUEST: xenstore home name=alpha", "alpha", "alpha reads the home the store made"),
    ("WARD-GUEST: xenstore write+read ok (hello-from-alpha)", "alpha",
     "alpha's /init wrote a key and read it back"),
    ("ward: domain 2 'alpha' halted", None, "alpha powers off"),
    ("wardstore: released domain 2", "store", "the store released alpha (VIRQ_DOM_EXC)"),
]
DONE = "wardstore: released domain 2"
TIMEOUT = 240
FORBIDDEN = [
    ("ALLOWED", "a non-store domain got at alpha's store ring or port"),
    ("xenstore write+read FAILED", "a guest's xenstore round trip failed"),
    ("WARD-GUEST: no xenbus irq", "a guest has no xenbus"),
    ("insmod", "a module did not load"),
    ("wardstore-domain exited", "wardstore-domain stopped"),
    ("ward: PANIC", "the hypervisor panicked"),
]


def main():
    iso = sys.argv[1]
    qemu_runner.skip_if_unavailable()
    qemu_runner.require(iso)
    # The store domain serves forever: the run is stopped as soon as the release is seen.
    run = qemu_runner.boot(iso, timeout=TIMEOUT, echo="--echo" in sys.argv, memory="1024M",
                           until=DONE, grace=0)
    verdict = qemu_runner.Verdict(run)
    if run.timed_out:
        verdict.fail("timed out before the store released alpha")
    for needle, who, meaning in EXPECTED:
        verdict.marker(needle, meaning, f"[{who}] " if who else "ward: ")
    for needle, meaning in FORBIDDEN:
        verdict.absent(needle, meaning)
    return verdict.finish(tail=80)


if __name__ == "__main__":
    sys.exit(main())
