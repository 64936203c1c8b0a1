#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes BASE followed by a gzip'd newc cpio holding SCRIPT as /vtpm_init (mode 0755) to OUT:
Linux unpacks concatenated initramfs archives in order, so the guest has the test initramfs
plus this init. Usage: make_overlay.py BASE SCRIPT OUT"""
import gzip
import sys


def entry(name, mode, data, ino):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = head + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    base, script, out = sys.argv[1:4]
    with open(script, "rb") as f:
        data = f.read()
    archive = entry("vtpm_init", 0o100755, data, 1) + entry("TRAILER!!!", 0, b"", 0)
    archive += b"\0" * (-len(archive) % 512)
    with open(base, "rb") as f:
        first = f.read()
    with open(out, "wb") as f:
        f.write(first)
        f.write(gzip.compress(archive, mtime=0))


if __name__ == "__main__":
    main()
