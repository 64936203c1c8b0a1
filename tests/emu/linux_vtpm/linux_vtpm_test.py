#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG with the store domain, a Linux vTPM domain, a Linux guest whose
unchanged xen-tpmfront gets /dev/tpm0 from its own vTPM over the tpmif v2 grant ring, and an
intruder guest, and judges the serial log (docs/vtpm.md §7, tests/emu/linux_vtpm/).

Checked: the store makes vtpm device 0 of 'tpmfront' and of 'intruder', both served by 'vtpm'
(ward.vtpm= on its command line); the vTPM domain seals ward-vtpm's manager key to its
platform-TPM stand-in, creates and starts the instance bound to tpmfront and extends the
builder's event log into it; the backend refuses the intruder's device (not the domain it
serves) and never connects it, and offers tpmif v2 to tpmfront. The guest first plays a broken
frontend (ring-ref 500, never granted): Ward refuses the backend's map, the backend closes the
device and offers it again when the frontend goes back to Initialising. Then the real driver
loads, the backend maps its ring and binds its channel (Connected), /dev/tpm0 appears,
TPM2_GetRandom and TPM2_PCR_Read are answered, and PCRs 8 and 9 read through /dev/tpm0 equal both
the values the vTPM domain extended and `ward measure` of the same configuration computed here on
the host. The guest unbinds xen-tpmfront (the backend closes the device), binds it again (the
backend offers the device anew, maps the new ring, the probe passes again) and powers off, after
which the store removes the device and the backend drops it; the run is stopped there. The
rates of TPM2_PCR_Read through /dev/tpm0 (ring) and straight to the worker socket inside the
vTPM domain (same boot) are printed as figure lines.
Usage: linux_vtpm_test.py IMAGE WARD CONFIG [--echo]
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

# (needle, console prefix or None for Ward's own lines, meaning)
EXPECTED = [
    ("wardstore: vtpm for 'tpmfront' served by 'vtpm'", "store",
     "the store read ward.vtpm= from its command line"),
    ("wardstore: vtpm device 0 of domain 3 'tpmfront' served by domain 2 'vtpm'", "store",
     "the store made both halves of the device"),
    ("wardstore: vtpm device 0 of domain 4 'intruder' served by domain 2 'vtpm'", "store",
     "the store also gave the intruder a device on the same backend"),
    ("ward-vtpm-backend: domain 4 device 0 refused: domain 'intruder' is not the domain this vTPM "
     "serves ('tpmfront')", "vtpm", "the backend refused the intruder's device"),
    ("WARD-VTPM: platform TPM stand-in (swtpm) up", "vtpm", "the platform-TPM stand-in runs"),
    ("WARD-VTPM: instance ", "vtpm", "ward-vtpm created and started tpmfront's instance"),
    ("ward-vtpm-backend: domain 3 'tpmfront' device 0: InitWait", "vtpm",
     "the backend adopted the device and offers tpmif v2"),
    ("ward: domain 2 'vtpm': grant map of domain 3 ref 500 ", None,
     "Ward refused the backend's map of a grant the frontend never made"),
    ("ward-vtpm-backend: domain 3 device 0 refused: ring-ref 500 does not map", "vtpm",
     "the backend refused the broken frontend's ring-ref and closed the device"),
    ("WARD-TPMFRONT: backend closed the device on ring-ref 500", "tpmfront",
     "the guest saw the device closed"),
    ("WARD-TPMFRONT: backend offers the device again", "tpmfront",
     "the frontend started over (Initialising) and the backend offered the device again"),
    ("ward-vtpm-backend: domain 3 'tpmfront' device 0: Connected (ring-ref", "vtpm",
     "the backend mapped the frontend's ring and bound its channel"),
    ("answered by the vTPM (rc 0x0)", "vtpm", "a frontend command was answered by the instance"),
    ("WARD-TPMFRONT: /dev/tpm0 present", "tpmfront", "xen-tpmfront registered /dev/tpm0"),
    ("WARD-TPMFRONT: random ", "tpmfront", "TPM2_GetRandom through /dev/tpm0"),
    ("WARD-TPMFRONT: all TPM commands answered", "tpmfront", "every probe command succeeded"),
    ("WARD-TPMFRONT: driver unbound", "tpmfront", "the guest unbound xen-tpmfront"),
    ("ward-vtpm-backend: domain 3 device 0 closing: frontend is Closed", "vtpm",
     "the backend closed the device when the frontend did"),
    ("WARD-TPMFRONT: driver bound again", "tpmfront", "xen-tpmfront registered a TPM again"),
    ("ward: domain 3 'tpmfront' halted", None, "the guest powered off"),
    ("ward-vtpm-backend: domain 3 device 0 removed by the toolstack", "vtpm",
     "the store removed the device of the ended guest and the backend dropped it"),
]
DONE = "removed by the toolstack"
FORBIDDEN = [
    ("FAILED", "a step failed"),
    ("domain 4 'intruder' device 0: Connected", "the intruder was connected"),
    ("ward: PANIC", "the hypervisor panicked"),
    ("wardstore-domain exited", "wardstore-domain stopped"),
]


def host_pcrs(ward, cfg):
    out = subprocess.run([ward, "measure", cfg], check=True, capture_output=True, text=True).stdout
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^pcr (\d+) sha256 ([0-9a-f]{64})$",
                                                            out, re.M)}


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    image, ward, cfg = sys.argv[1:4]
    qemu_runner.skip_if_unavailable()
    qemu_runner.require(image)
    expected_pcrs = host_pcrs(ward, cfg)
    if sorted(expected_pcrs) != [8, 9]:
        print(f"FAIL: ward measure printed PCRs {sorted(expected_pcrs)}, expected 8 and 9")
        return 1
    run = qemu_runner.boot(image, timeout=260, echo="--echo" in sys.argv, memory="1280M",
                           until=DONE, grace=0)
    lines = run.lines
    verdict = qemu_runner.Verdict(run)
    if run.timed_out:
        verdict.fail("timed out before the backend dropped the ended guest's device")
    for needle, who, meaning in EXPECTED:
        verdict.marker(needle, meaning, f"[{who}] " if who else "ward: ")
    for who, needle, times, meaning in [
            ("vtpm", "device 0: Connected (ring-ref", 2, "the backend connected both rings"),
            ("vtpm", "domain 3 device 0: frontend starts over", 2,
             "the backend offered the device again after the bad ring-ref and after the rebind"),
            ("tpmfront", "WARD-TPMFRONT: all TPM commands answered", 2,
             "the probe succeeded on both rings")]:
        n = sum(1 for _, l in lines if l.startswith(f"[{who}] ") and needle in l)
        if n >= times:
            print(f"ok            {meaning} ({n}x)")
        else:
            verdict.fail(f"'{needle}' seen {n} times, expected {times}: {meaning}")
    for pcr, value in sorted(expected_pcrs.items()):
        for who, needle, meaning in [
                ("vtpm", f"WARD-VTPM: launch of 'tpmfront' measured: pcr {pcr} sha256 {value}",
                 f"the vTPM domain extended PCR {pcr} to the host's `ward measure` value"),
                ("tpmfront", f"WARD-TPMFRONT: pcr {pcr} sha256 {value}",
                 f"PCR {pcr} read through xen-tpmfront equals the host's `ward measure` value")]:
            if any(l.startswith(f"[{who}] ") and needle in l for _, l in lines):
                print(f"ok            {meaning} ({value[:16]}...)")
            else:
                verdict.fail(f"missing '{needle}': {meaning}")
    for _, l in lines:  # the only refusals for tpmfront are those of the bad ring-ref
        if ("domain 3 device 0 refused" in l and "ring-ref 500" not in l) or (
                "grant map of domain 3" in l and "ref 500 " not in l):
            verdict.fail(f"tpmfront's real ring was refused: {l}")
    for needle, meaning in FORBIDDEN:
        verdict.absent(needle, meaning)
    for _, l in lines:
        if "commands/s" in l and ("[vtpm]" in l or "[tpmfront]" in l):
            print("figure:", l)
    return verdict.finish(tail=100)


if __name__ == "__main__":
    sys.exit(main())
