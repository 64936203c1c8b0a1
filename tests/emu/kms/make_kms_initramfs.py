#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_kms_initramfs.py FETCH_KERNEL OUTDIR INIT TEST_BINARY DRIVER

Builds OUTDIR/vmlinuz and OUTDIR/kms-initrd.cpio.gz: Debian's kernel (fetched and cached by
domains/guests/linux/fetch-kernel.sh, never committed), busybox-static, the DRM driver DRIVER
(bochs or virtio_gpu) with its dependencies taken from the same kernel package, INIT as /init
and the statically linked TEST_BINARY as /kms-test.

The package ships no modules.dep (depmod makes it at install time), so dependencies come from
each module's own .modinfo "depends=" field, which is what depmod reads too."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile


def die(msg):
    print(f"make_kms_initramfs: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 6:
        die(__doc__.splitlines()[0])
    fetch, outdir, init, binary, driver = sys.argv[1:]
    os.makedirs(outdir, exist_ok=True)
    vmlinuz = os.path.join(outdir, "vmlinuz")
    r = subprocess.run([fetch, vmlinuz], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"fetch-kernel failed: {r.stderr.strip()}")
    m = re.search(r"fetch-kernel: (\S+\.deb) ->", r.stdout)
    if not m:
        die(f"cannot tell the kernel package from: {r.stdout.strip()}")
    cache = os.environ.get("WARD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ward")
    deb = os.path.join(cache, m.group(1))
    if not os.path.exists(deb):
        die(f"{deb} missing")
    busybox = "/bin/busybox"
    if not os.access(busybox, os.X_OK):
        die(f"{busybox} missing (package busybox-static)")

    with tempfile.TemporaryDirectory() as tmp:
        ex = os.path.join(tmp, "deb")
        os.makedirs(ex)
        p1 = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", ex, "--wildcards", "./lib/modules/*/kernel/drivers/*"],
                       stdin=p1.stdout, check=True)
        if p1.wait() != 0:
            die(f"dpkg-deb {deb} failed")
        index = {}
        for root, _, files in os.walk(ex):
            for f in files:
                if f.endswith(".ko"):
                    index[f[:-3].replace("-", "_")] = os.path.join(root, f)

        def depends(name):
            if name not in index:
                die(f"module {name} not in {os.path.basename(deb)} (drivers/)")
            data = open(index[name], "rb").read()
            d = re.search(rb"depends=([^\0]*)\0", data)
            return [x.replace("-", "_") for x in d.group(1).decode().split(",") if x] if d else []

        order = []

        def walk(name, stack=()):
            if name in stack:
                die(f"dependency cycle at {name}")
            for dep in depends(name):
                walk(dep, stack + (name,))
            if name not in order:
                order.append(name)

        walk(driver)
        root = os.path.join(tmp, "root")
        for d in ("bin", "dev", "proc", "sys", "lib/modules"):
            os.makedirs(os.path.join(root, d))
        shutil.copy(busybox, os.path.join(root, "bin/busybox"))
        os.symlink("busybox", os.path.join(root, "bin/sh"))
        for name in order:
            shutil.copy(index[name], os.path.join(root, "lib/modules", name + ".ko"))
        with open(os.path.join(root, "modules"), "w") as f:
            f.write("\n".join(order) + "\n")
        shutil.copy(init, os.path.join(root, "init"))
        shutil.copy(binary, os.path.join(root, "kms-test"))
        os.chmod(os.path.join(root, "init"), 0o755)
        os.chmod(os.path.join(root, "kms-test"), 0o755)
        files = subprocess.run("find . -print0 | sort -z", shell=True, cwd=root,
                               capture_output=True, check=True).stdout
        cpio = subprocess.run(["cpio", "--null", "-o", "-H", "newc", "--quiet", "--reproducible",
                               "-R", "0:0"], input=files, cwd=root, capture_output=True,
                              check=True).stdout
        out = os.path.join(outdir, "kms-initrd.cpio.gz")
        with open(out + ".tmp", "wb") as f:
            f.write(gzip.compress(cpio, 9, mtime=0))
        os.replace(out + ".tmp", out)
    print(f"make_kms_initramfs: {out} ({os.path.getsize(out)} bytes), modules: {' '.join(order)}")


if __name__ == "__main__":
    main()
