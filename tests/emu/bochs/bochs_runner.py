# SPDX-License-Identifier: MIT
"""Boots a Ward ISO under Bochs 2.7 (Intel VMX + EPT) headlessly and records the serial log.

Bochs has no isa-debug-exit device, but it logs the hypervisor's write to the unmapped port 0xf4
(`debug` level for the `unmapped` module): that value is the run's exit status, reported as
`returncode = (value << 1) | 1` exactly as QEMU's isa-debug-exit would, and Bochs is stopped
then. Each serial line is timestamped (seconds since Bochs was started) as it appears in the
serial file. The timeout is only a safety net, and a run that needs it is reported as such
(testbeds.md, section 4).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

# The hypervisor's exit-status write to port 0xf4 (platform_exit), as Bochs logs it.
EXIT_WRITE = re.compile(r"unmapped: \d+-bit write to 00f4 = ([0-9a-f]+)")
# Serial lines after which the hypervisor stops: the exit-status write follows at once.
END_PATTERNS = [
    r"^ward: run complete",
    r"^ward: boot failed",
    r"PANIC",
    r"hypervisor exception",
]

BOCHSRC = """\
plugin_ctrl: unmapped=1, biosdev=1, speaker=0, extfpuirq=0, parallel=0, serial=1, gameport=0, e1000=0, ne2k=0, sb16=0, es1370=0, usb_uhci=0
config_interface: textconfig
display_library: term
megs: {megs}
cpu: model={model}, count=1, ips=2000000, reset_on_triple_fault=0, ignore_bad_msrs=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
vga: extension=vbe
pci: enabled=1, chipset=i440fx
clock: sync=none, time0=local
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path="{iso}", status=inserted
boot: cdrom
floppy_bootsig_check: disabled=0
com1: enabled=1, mode=file, dev={serial}
log: {log}
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore, unmapped=report
keyboard: type=mf
mouse: enabled=0
"""


@dataclass
class Run:
    model: str
    ended: bool = False          # the hypervisor stopped by itself (exit-status write)
    returncode: int | None = None  # (value written to port 0xf4 << 1) | 1, as with QEMU
    timed_out: bool = False
    bochs_exited: bool = False   # Bochs quit on its own (shutdown port, triple fault, panic)
    wall: float = 0.0
    lines: list = field(default_factory=list)  # (seconds, text)
    cpu: list = field(default_factory=list)  # Bochs CPU seconds when each line was seen
    bochs_log_tail: list = field(default_factory=list)

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

    def has(self, pattern):
        rx = re.compile(pattern)
        return any(rx.search(line) for line in self.text())

    def dump(self):
        print("\n--- serial log ---")
        for stamp, line in self.lines:
            print(f"[{stamp:8.3f}] {line}")
        if self.bochs_log_tail:
            print("--- bochs log (tail) ---")
            for line in self.bochs_log_tail:
                print(line)


def _cpu_seconds(pgid):
    """User + system CPU time of every process in the group (the bochs wrapper and bochs-bin):
    unlike wall time, it does not grow when other jobs share the machine."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: process group
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def skip_if_unavailable():
    if shutil.which("bochs") is None or not os.path.exists("/usr/share/bochs/BIOS-bochs-latest"):
        print("SKIP: bochs or its BIOS (packages bochs, bochsbios, vgabios) is not installed")
        sys.exit(77)


def boot(iso, model="corei7_skylake_x", timeout=90.0, megs=256, echo=False, poll=0.02,
         track_cpu=False):
    if not os.path.exists(iso):
        raise FileNotFoundError(f"ISO not built: {iso}")
    work = tempfile.mkdtemp(prefix="ward-bochs-")
    serial = os.path.join(work, "serial.txt")
    log = os.path.join(work, "bochsout.txt")
    rc = os.path.join(work, "bochsrc.txt")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(model=model, megs=megs, iso=os.path.abspath(iso), serial=serial,
                               log=log))
    cont = os.path.join(work, "cont.rc")
    with open(cont, "w") as f:
        f.write("c\n")  # the built-in debugger stops at t=0: continue
    run = Run(model=model)
    end_rx = [re.compile(p) for p in END_PATTERNS]
    start = time.monotonic()
    # Own process group: the `bochs` wrapper starts bochs-bin, and both must go.
    proc = subprocess.Popen(["bochs", "-q", "-f", rc, "-rc", cont], cwd=work,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    pending = ""
    offset = 0
    log_offset = 0
    log_pending = ""
    end_line_at = None
    next_log_check = 0.0

    def drain_serial(now):
        nonlocal pending, offset, end_line_at
        if not os.path.exists(serial):
            return
        with open(serial, "rb") as f:
            f.seek(offset)
            chunk = f.read()
        offset += len(chunk)
        pending += chunk.decode("utf-8", "replace")
        while "\n" in pending:
            line, pending = pending.split("\n", 1)
            line = line.rstrip("\r")
            run.lines.append((now, line))
            if track_cpu:
                run.cpu.append(_cpu_seconds(proc.pid))
            if echo:
                print(f"[{now:8.3f}] {line}", flush=True)
            if end_line_at is None and any(rx.search(line) for rx in end_rx):
                end_line_at = now

    try:
        while True:
            now = time.monotonic() - start
            drain_serial(now)
            if (end_line_at is not None or now >= next_log_check) and os.path.exists(log):
                next_log_check = now + 0.25
                with open(log, "rb") as f:
                    f.seek(log_offset)
                    chunk = f.read()
                log_offset += len(chunk)
                log_pending += chunk.decode("utf-8", "replace")
                m = EXIT_WRITE.search(log_pending)
                if m:
                    run.ended = True
                    run.returncode = (int(m.group(1), 16) << 1) | 1
                    drain_serial(now)  # every byte was sent before the exit write
                    break
                log_pending = log_pending[-200:]
            if end_line_at is not None and now - end_line_at > 5.0:
                # The last line came but no exit status: report it as not ended by itself.
                break
            if proc.poll() is not None:
                run.bochs_exited = True
                break
            if now > timeout:
                run.timed_out = True
                break
            time.sleep(poll)
    finally:
        run.wall = time.monotonic() - start
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # Bochs ignores SIGTERM while simulating
        proc.wait()
        if pending.strip():
            run.lines.append((run.wall, pending.rstrip("\r\n")))
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                run.bochs_log_tail = [l.rstrip("\n") for l in f.readlines()[-15:]]
        shutil.rmtree(work, ignore_errors=True)
    return run
