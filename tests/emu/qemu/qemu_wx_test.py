#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""W^X check of the hypervisor's own page tables through the QEMU monitor (Hedron's idea).

Boots Ward with `test=idle`: once the domains are built it halts in the hypervisor with its own
CR3 loaded. The test then asks QEMU's monitor for `info tlb` (every present translation with its
flags; 'X' there means the NX bit is set) and fails on any page that is both writable and
executable, on any user-accessible page, or if page 0 is mapped. It also checks that the image's
.text is executable and not writable.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import qemu_runner


def monitor(sock_path, command):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.settimeout(10)
    data = b""

    def read_until_prompt():
        nonlocal data
        while not data.endswith(b"(qemu) "):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk

    read_until_prompt()
    data = b""
    s.sendall(command.encode() + b"\n")
    read_until_prompt()
    s.close()
    return data.decode("utf-8", "replace")


def main() -> int:
    qemu_runner.skip_if_unavailable()
    iso, image = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "monitor.sock")
        serial = os.path.join(tmp, "serial.log")
        cmd = qemu_runner.qemu_command(iso)
        cmd[cmd.index("-monitor") + 1] = f"unix:{sock},server,nowait"
        cmd[cmd.index("-serial") + 1] = f"file:{serial}"
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            log = ""
            while time.monotonic() < deadline and "self-test idle" not in log:
                time.sleep(0.1)
                if os.path.exists(serial):
                    log = open(serial, errors="replace").read()
            if "self-test idle" not in log:
                print(log)
                print("FAILED  Ward did not reach the idle self-test")
                return 1
            time.sleep(0.2)
            tlb = monitor(sock, "info tlb")
        finally:
            proc.kill()
            proc.wait()
    # Lines look like: "0000000000200000: 0000000000200000 --------" with flags XGPDACTUW.
    entries = re.findall(r"^([0-9a-f]{16}): ([0-9a-f]{16}) ([-XGPDACTUW]{9})", tlb, re.M)
    failures = []
    if len(entries) < 100:
        failures.append(f"only {len(entries)} translations listed")
    wx = [va for va, _, f in entries if f[8] == "W" and f[0] != "X"]
    user = [va for va, _, f in entries if f[7] == "U"]
    if wx:
        failures.append(f"{len(wx)} writable+executable page(s), first at {wx[0]}")
    if user:
        failures.append(f"{len(user)} user-accessible page(s), first at {user[0]}")
    if any(int(va, 16) == 0 for va, _, _ in entries):
        failures.append("page 0 is mapped")
    # .text of the image: executable, not writable.
    syms = subprocess.run(["nm", image], capture_output=True, text=True).stdout
    text_start = int(re.search(r"^([0-9a-f]+) . __text_start$", syms, re.M).group(1), 16)
    text = [f for va, _, f in entries if int(va, 16) == text_start]
    if not text or text[0][0] == "X" or text[0][8] == "W":
        failures.append(f".text at {text_start:#x} is not mapped read+execute only: {text}")
    executable = [va for va, _, f in entries if f[0] != "X"]
    print(f"info    {len(entries)} translations, {len(executable)} executable, {len(wx)} W+X")
    for f in failures:
        print("FAILED  " + f)
    if not failures:
        print("ok      no writable+executable or user page in the hypervisor's address space")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
