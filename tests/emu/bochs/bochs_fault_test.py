#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The hypervisor fault scenarios of tests/emu/qemu/qemu_fault_test.py (a #PF in the hypervisor
must give a register dump on COM1 and end the run with the exception status), booted on Bochs'
Intel CPU model: the same script and checks, with Bochs as the machine. (The self-tests fault
right after paging is set up, before a backend is chosen.)

  bochs_fault_test.py null-read ISO  write-text ISO  exec-data ISO
"""
import os
import sys

import bochs_runner

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_fault_test  # noqa: E402
import qemu_runner  # noqa: E402


def boot_in_bochs(iso, timeout=60.0, echo=False):
    return bochs_runner.boot(iso, timeout=timeout, echo=echo)


if __name__ == "__main__":
    bochs_runner.skip_if_unavailable()
    qemu_runner.skip_if_unavailable = lambda: None
    qemu_runner.boot = boot_in_bochs
    sys.exit(qemu_fault_test.main())
