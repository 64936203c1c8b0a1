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
import shutil
import subprocess
import sys
import threading
import time

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


def main():
    iso, nbytes = sys.argv[1], int(sys.argv[2])
    echo = "--echo" in sys.argv
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    if not os.path.exists(iso):
        print(f"FAIL: image not built: {iso}")
        return 1
    cmd = qemu_runner.qemu_command(iso, memory="1024M")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = []
    seen = set()
    done = threading.Event()

    def reader():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lines.append((time.monotonic() - start, line))
            if echo:
                print(f"[{lines[-1][0]:8.3f}] {line}", flush=True)
            for n in DONE_NEEDLES:
                if n in line:
                    seen.add(n)
            if len(seen) == len(DONE_NEEDLES):
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    finished = done.wait(timeout=260)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    failures = [] if finished else ["timed out before the disconnect and the refusal were seen"]
    for needle, who, meaning in expected(nbytes):
        prefix = f"[{who}] " if who else "ward: "
        hit = next(((t, l) for t, l in lines if needle in l and l.startswith(prefix)), None)
        if hit is None:
            failures.append(f"missing '{needle}' ({prefix.strip()}): {meaning}")
        else:
            print(f"ok  {hit[0]:7.2f}s  {meaning}")
    # One exchange per port, in order, on each side.
    streams = {who: [(l, STREAM.search(l).groups()) for _, l in lines
                     if l.startswith(f"[{who}] ") and STREAM.search(l)]
               for who in ("server", "client")}
    for port in (1, 2):
        if len(streams["server"]) < port or len(streams["client"]) < port:
            failures.append(f"port {port}: an exchange report is missing")
            continue
        (sl, s), (cl, c) = streams["server"][port - 1], streams["client"][port - 1]
        print(f"    {sl}\n    {cl}")
        if not (s[0] == c[2] == str(nbytes) and s[2] == c[0] == str(nbytes)):
            failures.append(f"port {port}: byte counts differ: server {s}, client {c}")
        elif s[1] != c[3] or c[1] != s[3]:
            failures.append(f"port {port}: stream hashes differ: server {s}, client {c}")
        else:
            print(f"ok           port {port}: both directions' FNV-1a hashes agree")
    # A wait that ran out although the channel had changed (bounded waits, docs/vchan.md
    # section 8) means a kick did not wake the peer, or wait() slept on a peer that had exited.
    late = [l for _, l in lines if "LATE WAKE-UP" in l]
    for l in late:
        failures.append(f"late wake-up: {l}")
    crash = next((i for i, (_, l) in enumerate(lines) if "crashing on port 2" in l), None)
    gone = next((i for i, (_, l) in enumerate(lines) if "disconnected from port 2" in l), None)
    if crash is not None and gone is not None and gone < crash:
        failures.append("the server reported port 2's disconnect before the client crashed")
    for needle, meaning in FORBIDDEN:
        for _, l in lines:
            if needle in l:
                failures.append(f"{meaning}: {l}")
                break
    if failures:
        print("\n".join(l for _, l in lines[-100:]))
        for f in failures:
            print("FAIL:", f)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
