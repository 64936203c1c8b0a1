#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG with Debian's kernel as a PVH domain whose boot modules include the
TCG event log `ward measure` made for it (eventlog_for=linux), and judges the serial log:
Ward places the log and says where, Linux lists the ACPI TPM2 table (revision 4, 76 bytes,
Ward's OEM id) among its tables, the guest's /vtpm_init reads /sys/firmware/acpi/tables/TPM2
(LAML = the log's size, LASA = 0xF0000) and the log area through /dev/mem, whose SHA-256 must be
that of the log file, and a log naming no domain is refused.
Usage: vtpm_log_test.py IMAGE EVENTLOG [--echo]
"""
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

DONE = "ward: all domains have ended"


def main():
    image, eventlog = sys.argv[1], sys.argv[2]
    echo = "--echo" in sys.argv
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    for f in (image, eventlog):
        if not os.path.exists(f):
            print(f"FAIL: not built: {f}")
            return 1
    size = os.path.getsize(eventlog)
    with open(eventlog, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    expected = [
        ("refused: eventlog_for= names no domain module", "a log nobody claims is refused"),
        (f"ward: domain 1 'linux': event log, {size} bytes at 0xf0000 (ACPI TPM2 table)",
         "Ward placed the builder's log in the domain's reserved window"),
        ("ACPI: TPM2 0x00000000000E", "Linux lists a TPM2 table beside the others"),
        ("00004C (v04 WARDHV", "it is Ward's 76-byte revision 4 table (LAML/LASA present)"),
        ("WARD-GUEST: userspace up", "the guest boots as without a log"),
        (f"WARD-VTPM: table TPM2 bytes=76 laml={size} lasa={0xf0000}",
         "the guest reads the TPM2 table: LAML is the log's size, LASA its address"),
        (f"WARD-VTPM: log sha256={digest}",
         "the bytes at LASA are exactly the log ward measure wrote"),
        (DONE, "the run ends by itself"),
    ]
    cmd = qemu_runner.qemu_command(image, memory="1024M")
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
    done.wait(timeout=240)
    if proc.poll() is None:
        time.sleep(2)  # let the log catch up
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    failures = []
    for needle, meaning in expected:
        hit = next(((t, l) for t, l in lines if needle in l), None)
        if hit is None:
            failures.append(f"missing '{needle}': {meaning}")
        else:
            print(f"ok  {hit[0]:7.2f}s  {meaning}")
    for _, l in lines:
        if "ward: PANIC" in l or "hypervisor exception" in l.lower():
            failures.append(f"the hypervisor failed: {l}")
    if failures:
        print("\n".join(l for _, l in lines[-60:]))
        for f in failures:
            print("FAIL:", f)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
