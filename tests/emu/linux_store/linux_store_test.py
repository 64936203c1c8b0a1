#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG with a Linux store domain (wardstore over gntdev/evtchn) and two
Linux guests, and judges the serial log (docs/store-domain.md, tests/emu/linux_store/).

Checked: the store domain (caps=store) is built first; each guest gets a store ring and port
served by it; wardstore introduces both (mapping grant ref 1 and binding the port); in each guest
xenbus came up (the kernel's xenbus IRQ exists) and /init wrote a key in its xenstore home and
read it back, and read the home's name the store made; beta (not a store domain, same label as
alpha) is refused when it maps alpha's grant ref 1; beta powers off and the store releases it
(VIRQ_DOM_EXC). The run is stopped once the release is seen (the store and alpha stay up).
Usage: linux_store_test.py IMAGE [--echo]
"""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

# (needle, console prefix or None for Ward's own lines, meaning)
EXPECTED = [
    ("ward: domain 1 'store' (label store_t): 160 MiB, caps store", None,
     "the store domain is built first, with only the store capability"),
    ("ward: domain 2 'alpha': store ring pfn 0xee, port", None,
     "alpha gets its store ring and port, served by the store domain"),
    ("ward: domain 3 'beta': store ring pfn 0xee, port", None, "so does beta"),
    ("WARD-STORE: userspace up", "store", "the store domain reaches userspace"),
    ("wardstore: store domain serving rings", "store", "wardstore-domain runs over gntdev/evtchn"),
    ("wardstore: domain 2: ring (grant ref 1", "store", "alpha's grant ref 1 mapped, port bound"),
    ("wardstore: introduced domain 2 'alpha'", "store", "the store introduced alpha"),
    ("wardstore: introduced domain 3 'beta'", "store", "the store introduced beta"),
    ("WARD-GUEST: xenbus irq present", "alpha", "alpha's xenbus came up"),
    ("WARD-GUEST: xenstore home name=alpha", "alpha", "alpha reads the home the store made"),
    ("WARD-GUEST: xenstore write+read ok (hello-from-alpha)", "alpha",
     "alpha's /init wrote a key and read it back"),
    ("WARD-GUEST: xenbus irq present", "beta", "beta's xenbus came up"),
    ("WARD-GUEST: xenstore write+read ok (hello-from-beta)", "beta",
     "beta's /init wrote a key and read it back"),
    ("WARD-PROBE: map of domain 2 grant ref 1 refused", "beta",
     "a non-store domain cannot map another domain's grant ref 1"),
    ("ward: domain 3 'beta' halted", None, "beta powers off"),
    ("wardstore: released domain 3", "store", "the store released beta (VIRQ_DOM_EXC)"),
]
DONE = "wardstore: released domain 3"
FORBIDDEN = [
    ("WARD-PROBE: map of domain 2 grant ref 1 ALLOWED", "beta mapped alpha's store ring"),
    ("xenstore write+read FAILED", "a guest's xenstore round trip failed"),
    ("WARD-GUEST: no xenbus irq", "a guest has no xenbus"),
    ("insmod", "a module did not load"),
    ("wardstore-domain exited", "wardstore-domain stopped"),
    ("ward: PANIC", "the hypervisor panicked"),
]


def main():
    iso = sys.argv[1]
    echo = "--echo" in sys.argv
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    if not os.path.exists(iso):
        print(f"FAIL: image not built: {iso}")
        return 1
    cmd = qemu_runner.qemu_command(iso, memory="1024M")
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
    finished = done.wait(timeout=240)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    failures = [] if finished else ["timed out before the store released beta"]
    for needle, who, meaning in EXPECTED:
        prefix = f"[{who}] " if who else "ward: "
        hit = next(((t, l) for t, l in lines if needle in l and l.startswith(prefix)), None)
        if hit is None:
            failures.append(f"missing '{needle}' ({prefix.strip()}): {meaning}")
        else:
            print(f"ok  {hit[0]:7.2f}s  {meaning}")
    for needle, meaning in FORBIDDEN:
        for _, l in lines:
            if needle in l:
                failures.append(f"{meaning}: {l}")
                break
    if failures:
        print("\n".join(l for _, l in lines[-80:]))
        for f in failures:
            print("FAIL:", f)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
