# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG (AMD SVM + NPT) and records the serial log.

The image is either a GRUB ISO (ward_hv_iso()) or a direct-boot manifest (ward_hv_direct(), a
.json file): then QEMU loads the flat hypervisor image itself through its Multiboot 1 header
(-kernel, -append) with every module and its command line (-initrd), and no GRUB runs.

Each serial line is timestamped (seconds since QEMU was started) as it arrives. The run is
expected to end by itself through isa-debug-exit, or, for a system that never ends (a store
domain serves forever), to be stopped as soon as the awaited serial line appears (boot(until=));
the timeout is only a safety net, and a run that needs it is reported as such.

Verdict collects a boot test's checks over the serial log and prints the outcome.
"""
import json
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
    reached: bool = False  # a line matched boot()'s `until`
    stopped: bool = False  # QEMU was killed after that line, not having ended within the grace

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


def boot_media(image):
    """QEMU arguments that boot `image`: an ISO (-cdrom) or a direct-boot manifest (.json)."""
    if not image.endswith(".json"):
        return ["-cdrom", image]
    with open(image) as f:
        m = json.load(f)
    if m.get("kind") != "ward-direct":
        raise ValueError(f"{image}: not a Ward direct-boot manifest")
    # -initrd "file args,file args": QEMU splits modules at single commas; ",," is a comma.
    mods = ",".join(f"{mod['file']} {mod['cmdline']}".strip().replace(",", ",,")
                    for mod in m["modules"])
    args = ["-kernel", m["kernel"], "-append", m["cmdline"]]
    return args + (["-initrd", mods] if mods else [])


def qemu_command(image, cpu="max", memory="256M"):
    return ["qemu-system-x86_64", "-accel", "tcg", "-cpu", cpu, "-machine", "q35",
            "-m", memory, "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] + boot_media(image)


def skip_if_unavailable():
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        sys.exit(77)


def require(*paths):
    """Ends the test (exit status 1) when one of `paths` (an image, an input file) is not built."""
    for path in paths:
        if not os.path.exists(path):
            print(f"FAIL: not built: {path}")
            sys.exit(1)


def _matcher(until):
    if until is None or callable(until):
        return until
    return lambda line: until in line


def boot(iso, timeout=120.0, echo=False, cpu="max", memory="256M", until=None, grace=10.0):
    """Boots `iso` (an ISO or a direct-boot manifest) and returns its Run.

    Without `until`, the run lasts until QEMU exits (isa-debug-exit). With `until` (a substring,
    or a predicate on one serial line), the wait ends as soon as a line matches (run.reached):
    QEMU then gets up to `grace` seconds to exit by itself (a run that ends through
    isa-debug-exit right after that line keeps its exit status), else it is killed (run.stopped,
    a negative returncode); grace=0 stops it at once. A run that neither ends nor shows the line
    within `timeout` seconds is killed with run.timed_out set. Every line QEMU wrote before it
    ended is in run.lines.
    """
    if not os.path.exists(iso):
        raise FileNotFoundError(f"image not built: {iso}")
    match = _matcher(until)
    start = time.monotonic()
    proc = subprocess.Popen(qemu_command(iso, cpu, memory), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    run = Run(returncode=None, timed_out=False)
    ended = threading.Event()  # the awaited line, or the end of QEMU's output

    def reader():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            stamp = time.monotonic() - start
            run.lines.append((stamp, line))
            if echo:
                print(f"[{stamp:8.3f}] {line}", flush=True)
            if match is not None and not run.reached and match(line):
                run.reached = True
                ended.set()
        ended.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    ended.wait(timeout=timeout)
    left = max(0.0, timeout - (time.monotonic() - start))
    try:
        run.returncode = proc.wait(timeout=min(grace, left) if run.reached else left)
    except subprocess.TimeoutExpired:
        run.stopped = run.reached
        run.timed_out = not run.reached
        proc.kill()
        run.returncode = proc.wait()
    t.join(timeout=5)
    return run


class Verdict:
    """A boot test's checks over one Run's serial log: each passed check prints an `ok` line as
    it is made; finish() prints the log's tail and every failure, then PASS or FAIL."""

    def __init__(self, run):
        self.run = run
        self.failures = []

    def fail(self, what):
        self.failures.append(what)

    def check(self, cond, ok, failure):
        """Records `failure` unless `cond`; prints `ok` if it holds."""
        if cond:
            print(f"ok  {ok}")
        else:
            self.fail(failure)
        return cond

    def marker(self, needle, meaning, prefix=""):
        """The first line that holds `needle` and starts with `prefix` (a console's "[name] ",
        or "ward: " for the hypervisor's own lines) must exist. Returns (seconds, line) or None."""
        hit = self.run.first(lambda line: needle in line and line.startswith(prefix))
        if hit is None:
            where = f" ({prefix.strip()})" if prefix else ""
            self.fail(f"missing '{needle}'{where}: {meaning}")
        else:
            print(f"ok  {hit[0]:7.2f}s  {meaning}")
        return hit

    def absent(self, needle, meaning):
        """No line may hold `needle`: the first that does is reported with `meaning`."""
        line = next((line for line in self.run.text() if needle in line), None)
        if line is not None:
            self.fail(f"{meaning}: {line}")

    def hypervisor_sound(self):
        """No hypervisor panic or exception anywhere in the log (each such line is reported)."""
        for line in self.run.text():
            if "ward: PANIC" in line or "hypervisor exception" in line.lower():
                self.fail(f"the hypervisor failed: {line}")

    def not_timed_out(self, timeout, awaited):
        if self.run.timed_out:
            self.fail(f"timed out after {timeout:.0f} s waiting for {awaited}")

    def finish(self, tail=60):
        """Prints the verdict; returns the test's exit status (0 pass, 1 fail)."""
        if self.failures:
            print("\n".join(self.run.text()[-tail:]))
            for f in self.failures:
                print("FAIL:", f)
            return 1
        print("PASS")
        return 0
