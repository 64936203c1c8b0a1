#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make run`: boots a Ward ISO in QEMU (TCG, AMD SVM + NPT) with the serial console on this
terminal. The run image (docs/console.md) has the store domain (xenstore for the others), two
Linux guests with shells on hvc0 and a test guest; what is typed goes to the domain with console focus (Ctrl-] n moves it, Ctrl-] ? lists
the consoles). On a terminal, Ctrl-C goes to the guest and Ctrl-a x quits QEMU. The hypervisor
ends the run itself through isa-debug-exit once every domain has ended (`poweroff` in each
shell; the store domain, a service domain, is ended with the last of them); its status is translated into a message and a normal exit code (docs/boot.md).

Usage: ward_run.py [--memory SIZE] ISO"""
import argparse
import os
import subprocess
import sys

MEANING = {
    (0x10 << 1) | 1: (0, "all domains have ended"),
    (0x20 << 1) | 1: (1, "the hypervisor could not boot"),
    (0x7E << 1) | 1: (1, "hypervisor exception"),
    (0x7F << 1) | 1: (1, "hypervisor panic"),
}
DEFAULT_MEMORY = "768M"


def qemu_command(iso: str, memory: str = DEFAULT_MEMORY, interactive: bool = False) -> list:
    """The QEMU command of `make run`; the test (tests/emu/linux_run) boots the same one. Not
    interactive: the serial console is QEMU's stdin/stdout, whatever they are (pipes in tests)."""
    if interactive:
        serial = ["-chardev", "stdio,id=con,mux=on,signal=off", "-serial", "chardev:con"]
    else:
        serial = ["-serial", "stdio"]
    return ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-machine", "q35", "-m", memory,
            "-display", "none", "-monitor", "none", *serial, "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", iso]


def main() -> int:
    ap = argparse.ArgumentParser(description="Boot a Ward ISO in QEMU")
    ap.add_argument("--memory", default=DEFAULT_MEMORY)
    ap.add_argument("iso")
    a = ap.parse_args()
    interactive = os.isatty(0)
    if interactive:
        print("ward-run: type into the guest with console focus; Ctrl-] n: next console, "
              "Ctrl-] ?: list, Ctrl-a x: quit QEMU", flush=True)
    rc = subprocess.call(qemu_command(a.iso, a.memory, interactive),
                         stdin=None if interactive else subprocess.DEVNULL)
    code, text = MEANING.get(rc, (1, f"QEMU exited with status {rc}"))
    print(f"\nward-run: {text}")
    return code


if __name__ == "__main__":
    sys.exit(main())
