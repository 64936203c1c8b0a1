# SPDX-License-Identifier: MIT
"""Shared parts of the channel boot tests (channel_test.py, vchan_test.py, reload_test.py): the
emulator (QEMU with AMD SVM, or Bochs with Intel VMX when the first argument is --bochs, which
is removed from sys.argv on import) and the result checks over the serial log."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
import qemu_runner  # noqa: E402

BOCHS = len(sys.argv) > 1 and sys.argv[1] == "--bochs"
if BOCHS:
    del sys.argv[1]
    sys.path.insert(0, os.path.join(HERE, "..", "bochs"))
    import bochs_runner  # noqa: E402

RUNNER = bochs_runner if BOCHS else qemu_runner
EXIT_ALL_DOMAINS_ENDED = qemu_runner.EXIT_ALL_DOMAINS_ENDED

failures = []


def boot(iso, timeout):
    return RUNNER.boot(iso, timeout=timeout)


def expect(cond, what):
    print(("ok      " if cond else "FAILED  ") + what)
    if not cond:
        failures.append(what)


def has(text, pattern):
    rx = re.compile(pattern)
    return any(rx.search(line) for line in text)


def index(text, pattern):
    """The first line matching `pattern`, or -1."""
    rx = re.compile(pattern)
    for i, line in enumerate(text):
        if rx.search(line):
            return i
    return -1
