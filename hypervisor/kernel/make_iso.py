#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds a small GRUB BIOS ISO that boots ward-hv (Multiboot2) with domain modules.

Usage: make_iso.py --output X.iso --hypervisor ward-hv [--hv-cmdline S] --work DIR -- \
           module1 "cmdline1" module2 "cmdline2" ...
"""
import argparse
import os
import shutil
import subprocess
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--output", required=True)
    ap.add_argument("--hypervisor", required=True)
    ap.add_argument("--hv-cmdline", default="")
    ap.add_argument("--work", required=True)
    ap.add_argument("modules", nargs="*")
    a = ap.parse_args()
    if len(a.modules) % 2:
        print("make_iso.py: modules come in (file, cmdline) pairs", file=sys.stderr)
        return 2
    root = os.path.join(a.work, "iso")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(os.path.join(root, "boot", "grub"))
    shutil.copy(a.hypervisor, os.path.join(root, "boot", "ward-hv"))
    lines = ["set timeout=0", "set default=0", 'menuentry "Ward" {',
             f"  multiboot2 /boot/ward-hv {a.hv_cmdline}".rstrip()]
    for i in range(0, len(a.modules), 2):
        path, cmdline = a.modules[i], a.modules[i + 1]
        name = f"m{i // 2}-{os.path.basename(path)}"
        shutil.copy(path, os.path.join(root, "boot", name))
        lines.append(f"  module2 /boot/{name} {cmdline}".rstrip())
    lines += ["  boot", "}"]
    with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as f:
        f.write("\n".join(lines) + "\n")
    cmd = ["grub-mkrescue", "-d", "/usr/lib/grub/i386-pc",
           "--install-modules=multiboot2 normal iso9660 biosdisk configfile",
           "--locales=", "--fonts=", "--themes=", "-o", a.output, root]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(r.stdout, file=sys.stderr)
        return r.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
