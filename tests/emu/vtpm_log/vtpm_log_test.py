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
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

DONE = "ward: all domains have ended"
TIMEOUT = 240


def main():
    image, eventlog = sys.argv[1], sys.argv[2]
    qemu_runner.skip_if_unavailable()
    qemu_runner.require(image, eventlog)
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
    # The run ends through isa-debug-exit right after DONE; the grace lets it.
    run = qemu_runner.boot(image, timeout=TIMEOUT, echo="--echo" in sys.argv, memory="1024M",
                           until=DONE)
    verdict = qemu_runner.Verdict(run)
    verdict.not_timed_out(TIMEOUT, f"'{DONE}'")
    for needle, meaning in expected:
        verdict.marker(needle, meaning)
    verdict.hypervisor_sound()
    return verdict.finish(tail=60)


if __name__ == "__main__":
    sys.exit(main())
