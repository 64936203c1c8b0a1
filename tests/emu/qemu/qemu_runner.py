# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG (AMD SVM + NPT) and records the serial log.

The image is either a GRUB ISO (ward_hv_iso()) or a direct-boot manifest (ward_hv_direct(), a
.json file): then QEMU loads the flat hypervisor image itself through its Multiboot 1 header
(-kernel, -append) with every module and its command line (-initrd), and no GRUB runs.

Each serial line is timestamped (seconds since QEMU was started) as it arrives. The run is
expected to end by itself through isa-debug-exit; the timeout is only a safety net, and a run
that needs it is reported as such.
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


def boot(iso, timeout=120.0, echo=False, cpu="max"):
    if not os.path.exists(iso):
        raise FileNotFoundError(f"image not built: {iso}")
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
