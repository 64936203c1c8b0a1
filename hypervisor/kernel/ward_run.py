#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make run`: boots a Ward ISO in QEMU (TCG, AMD SVM + NPT) with the serial console on this
terminal. The hypervisor ends the run itself through isa-debug-exit; its status is translated
into a message and a normal exit code (docs/boot.md lists the values)."""
import subprocess
import sys

MEANING = {
    (0x10 << 1) | 1: (0, "all domains have ended"),
    (0x20 << 1) | 1: (1, "the hypervisor could not boot"),
    (0x7E << 1) | 1: (1, "hypervisor exception"),
    (0x7F << 1) | 1: (1, "hypervisor panic"),
}


def main() -> int:
    iso = sys.argv[1]
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-machine", "q35", "-m", "256M",
           "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", iso]
    rc = subprocess.call(cmd, stdin=subprocess.DEVNULL)
    code, text = MEANING.get(rc, (1, f"QEMU exited with status {rc}"))
    print(f"\nward-run: {text}")
    return code


if __name__ == "__main__":
    sys.exit(main())
