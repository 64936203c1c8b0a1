#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""QEMU tests of the hypervisor's exception path and its own page permissions (W^X, NX, no
page 0). Each ISO boots Ward with `test=<scenario>` (hypervisor/kernel/self_test.hpp); the
fault must produce a register dump with the faulting context on COM1 and end the run with the
exception status.

  qemu_fault_test.py null-read ISO  write-text ISO  exec-data ISO  stack-overflow ISO
"""
import re
import sys

import qemu_runner

EXPECTED = {  # scenario -> (vector, error code); #PF error code bits: P, W/R, U/S, RSVD, I/D
    "null-read": (14, 0x0),
    "write-text": (14, 0x3),
    "exec-data": (14, 0x11),
    "stack-overflow": (8, 0x0),  # the #PF cannot be pushed on the overflowed stack
}


def main() -> int:
    qemu_runner.skip_if_unavailable()
    args = sys.argv[1:]
    failures = 0
    for scenario, iso in zip(args[0::2], args[1::2]):
        run = qemu_runner.boot(iso, timeout=60)
        text = run.text()
        want = EXPECTED[scenario]
        problems = []
        if run.timed_out or run.returncode != qemu_runner.EXIT_EXCEPTION:
            problems.append(f"status {run.returncode}, want {qemu_runner.EXIT_EXCEPTION} (exception)")
        m = [re.search(r"hypervisor exception (\d+) \(.*\), error code 0x([0-9a-f]+)", l) for l in text]
        seen = [(int(x.group(1)), int(x.group(2), 16)) for x in m if x]
        if seen != [want]:
            problems.append(f"exceptions (vector, error code) {seen}, want [{want}]")
        for needed in (r"^RIP [0-9a-f]{16} CS 0008", r"^RAX ", r"^R13 ", r"^CR0 [0-9a-f]{16} CR2 ",
                       r"^stack:", r"^ward: halted$"):
            if not any(re.search(needed, l) for l in text):
                problems.append(f"dump line missing: {needed}")
        if any("self-test FAILED" in l for l in text):
            problems.append("the access did not fault")
        print(("ok      " if not problems else "FAILED  ") + f"{scenario}: " + "; ".join(problems))
        if problems:
            failures += 1
            print("\n".join(text))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
