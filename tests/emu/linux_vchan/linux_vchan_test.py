#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots Ward under QEMU TCG with the store domain and three Linux domains running
ward-vchan-peer over dom::vchan's grant transport, and judges the serial log (docs/vchan.md
section 7, tests/emu/linux_vchan/).

Checked: server (2) and client (3), both labelled personal, connect through the store
(ring-ref/event-channel published by the server, read by the client), exchange BYTES each way
and check them byte for byte against the PRNG stream (each side's FNV-1a of what it sent equals
the other side's of what it received); on port 1 the client closes and the server sees the
disconnect; on port 2 the same exchange, then the client kills itself (SIGKILL) with the grants
mapped and the server sees the disconnect (Linux's unmap notification clears cli_live and
kicks);
the intruder (4, label work), for which the server also published a channel, is refused: Ward
logs the ACM denial and the refused grant map, and ward-vchan-peer reports REFUSED. The run is
stopped once all of that has been seen.
Usage: linux_vchan_test.py IMAGE BYTES [--echo]
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402


def expected(nbytes):
    # (needle, console prefix or None for Ward's own lines, meaning)
    return [
        ("ward: domain 1 'store' (label store_t)", None, "the store domain is built first"),
        ("VCHAN-SERVER: domain 2 serving domain 3 on port 1 at /local/domain/2/data/vchan/3/1",
         "server", "the server granted its pages and published the channel"),
        ("VCHAN-SERVER: published a channel for domain 4 at /local/domain/2/data/vchan/4/1",
         "server", "the server published a channel for the intruder too"),
        ("VCHAN-CLIENT: domain 3 connected to domain 2 port 1 (rings 65536/65536 bytes)",
         "client", "the client mapped the grants and bound the event channel"),
        ("VCHAN-SERVER: client connected on port 1 (rings 65536/65536 bytes)", "server",
         "the server saw the client connect"),
        (f"VCHAN-CLIENT: sent {nbytes} bytes fnv", "client", "the client's exchange completed"),
        (f"VCHAN-SERVER: sent {nbytes} bytes fnv", "server", "the server's exchange completed"),
        ("VCHAN-CLIENT: closing port 1", "client", "the client closed port 1"),
        ("VCHAN-SERVER: client disconnected from port 1", "server",
         "the server saw the client's close"),
        ("VCHAN-SERVER: client connected on port 2", "server", "the client came back on port 2"),
        ("VCHAN-CLIENT: crashing on port 2 with the grants mapped", "client",
         "the client kills itself while mapped"),
        (":crash exited with status 137", "client", "it died of SIGKILL"),
        ("VCHAN-SERVER: client disconnected from port 2", "server",
         "the server saw the crashed client go (unmap notification)"),
        ("ward: acm: denied grant map between domain 4 'intruder' (label work) and domain 2 "
         "'server' (label personal)", None, "the ACM refused the intruder's map"),
        ("ward: domain 4 'intruder': grant map of domain 2 ref", None,
         "Ward logged the refused grant map"),
        ("VCHAN-CLIENT: connect to domain 2 port 1 refused: refused by the hypervisor", "intruder",
         "the intruder's vchan reports the refusal"),
    ]


DONE_NEEDLES = ["VCHAN-SERVER: client disconnected from port 2", ":crash exited with status",
                "VCHAN-CLIENT: connect to domain 2 port 1 refused"]
FORBIDDEN = [
    ("MISMATCH", "a byte arrived wrong"),
    ("failed:", "a vchan call failed"),
    ("insmod", "a module did not load"),
    ("closing port 2", "the client closed port 2 instead of crashing"),
    ("intruder's channel changed", "the intruder's channel changed state"),
    ("wardstore-domain exited", "wardstore-domain stopped"),
    ("ward: PANIC", "the hypervisor panicked"),
]
STREAM = re.compile(r"sent (\d+) bytes fnv ([0-9a-f]{16}), received (\d+) bytes fnv ([0-9a-f]{16})")


def all_seen(needles):
    """A boot() `until` predicate: true once every needle has appeared on some line."""
    left = set(needles)

    def match(line):
        left.difference_update([n for n in left if n in line])
        return not left
    return match


def main():
    iso, nbytes = sys.argv[1], int(sys.argv[2])
    qemu_runner.skip_if_unavailable()
    qemu_runner.require(iso)
    run = qemu_runner.boot(iso, timeout=260, echo="--echo" in sys.argv, memory="1024M",
                           until=all_seen(DONE_NEEDLES), grace=0)
    lines = run.lines
    verdict = qemu_runner.Verdict(run)
    if run.timed_out:
        verdict.fail("timed out before the disconnect and the refusal were seen")
    for needle, who, meaning in expected(nbytes):
        verdict.marker(needle, meaning, f"[{who}] " if who else "ward: ")
    # One exchange per port, in order, on each side.
    streams = {who: [(l, STREAM.search(l).groups()) for _, l in lines
                     if l.startswith(f"[{who}] ") and STREAM.search(l)]
               for who in ("server", "client")}
    for port in (1, 2):
        if len(streams["server"]) < port or len(streams["client"]) < port:
            verdict.fail(f"port {port}: an exchange report is missing")
            continue
        (sl, s), (cl, c) = streams["server"][port - 1], streams["client"][port - 1]
        print(f"    {sl}\n    {cl}")
        if not (s[0] == c[2] == str(nbytes) and s[2] == c[0] == str(nbytes)):
            verdict.fail(f"port {port}: byte counts differ: server {s}, client {c}")
        elif s[1] != c[3] or c[1] != s[3]:
            verdict.fail(f"port {port}: stream hashes differ: server {s}, client {c}")
        else:
            print(f"ok           port {port}: both directions' FNV-1a hashes agree")
    # A wait that ran out although the channel had changed (bounded waits, docs/vchan.md
    # section 8) means a kick did not wake the peer, or wait() slept on a peer that had exited.
    for l in run.text():
        if "LATE WAKE-UP" in l:
            verdict.fail(f"late wake-up: {l}")
    crash = run.index(lambda l: "crashing on port 2" in l)
    gone = run.index(lambda l: "disconnected from port 2" in l)
    if crash >= 0 and gone >= 0 and gone < crash:
        verdict.fail("the server reported port 2's disconnect before the client crashed")
    for needle, meaning in FORBIDDEN:
        verdict.absent(needle, meaning)
    return verdict.finish(tail=100)


if __name__ == "__main__":
    sys.exit(main())
