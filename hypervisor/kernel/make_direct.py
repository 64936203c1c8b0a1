#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a direct-boot manifest: Ward's flat Multiboot 1 image and its modules, for QEMU's own
loader (-kernel/-append/-initrd) instead of a GRUB ISO. The files are referred to in place (no
copies); tests/emu/qemu/qemu_runner.py reads the manifest (docs/boot.md section 1.1).

Usage: make_direct.py --output X.json --hypervisor ward-hv.bin [--hv-cmdline S] -- \
           module1 "cmdline1" module2 "cmdline2" ...
"""
import argparse
import json
import os
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--output", required=True)
    ap.add_argument("--hypervisor", required=True)
    ap.add_argument("--hv-cmdline", default="")
    ap.add_argument("modules", nargs="*")
    a = ap.parse_args()
    if len(a.modules) % 2:
        print("make_direct.py: modules come in (file, cmdline) pairs", file=sys.stderr)
        return 2
    modules = []
    for i in range(0, len(a.modules), 2):
        path, cmdline = os.path.abspath(a.modules[i]), a.modules[i + 1]
        if " " in path or "," in path:
            print(f"make_direct.py: {path}: QEMU's -initrd cannot name a file with a blank or "
                  "a comma", file=sys.stderr)
            return 2
        if not os.path.isfile(path):
            print(f"make_direct.py: {path}: no such file", file=sys.stderr)
            return 2
        modules.append({"file": path, "cmdline": cmdline})
    manifest = {"kind": "ward-direct", "kernel": os.path.abspath(a.hypervisor),
                "cmdline": a.hv_cmdline, "modules": modules}
    tmp = a.output + ".tmp"
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
