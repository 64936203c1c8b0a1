# SPDX-License-Identifier: MIT
"""Boots a Ward ISO under QEMU TCG (AMD SVM + NPT) and records the serial log.

Each serial line is timestamped (seconds since QEMU was started) as it arrives. The run is
expected to end by itself through isa-debug-exit; the timeout is only a safety net, and a run
that needs it is reported as such.
"""
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

# isa-debug-exit: QEMU exits with (value << 1) | 1. Values Ward writes (docs/boot.md).
EXIT_ALL_DOMAINS_ENDED = (0x10 << 1) | 1
EXIT_BOOT_FAILED = (0x20 << 1) | 1
EXIT_PANIC = (0x7F << 1) | 1
EXIT_EXCEPTION = (0x7E << 1) | 1


@dataclass
class Run:
    returncode: int | None
    timed_out: bool
    lines: list = field(default_factory=list)  # (seconds, text)

    def text(self):
        return [t for _, t in self.lines]

    def first(self, pred):
        """(time, line) of the first line for which pred(line) is true, or None."""
        for stamp, line in self.lines:
            if pred(line):
                return stamp, line
        return None

    def index(self, pred):
        for i, (_, line) in enumerate(self.lines):
            if pred(line):
                return i
        return -1


def qemu_command(iso, cpu="max"):
    return ["qemu-system-x86_64", "-accel", "tcg", "-cpu", cpu, "-machine", "q35",
            "-m", "256M", "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", iso]


def skip_if_unavailable():
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        sys.exit(77)


def boot(iso, timeout=120.0, echo=False, cpu="max"):
    if not os.path.exists(iso):
        raise FileNotFoundError(f"ISO not built: {iso}")
    start = time.monotonic()
    proc = subprocess.Popen(qemu_command(iso, cpu), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    run = Run(returncode=None, timed_out=False)

    def reader():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            stamp = time.monotonic() - start
            run.lines.append((stamp, line))
            if echo:
                print(f"[{stamp:8.3f}] {line}", flush=True)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        run.returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        run.timed_out = True
        proc.kill()
        proc.wait()
    t.join(timeout=5)
    return run
