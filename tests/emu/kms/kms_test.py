#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kms_test.py QEMU VMLINUZ INITRD [--vga std|virtio]

Boots Debian's kernel with the KMS test initramfs (make_kms_initramfs.py) under QEMU TCG with a
bochs-drm display (-vga std). The guest program (kms_guest_test.cpp) drives the GUI domain's KMS
output: mode set, three page-flipped frames, error paths. When it prints KMS-READY, this runner
takes a `screendump` through the QEMU monitor and checks the displayed pixels (the coalition-red
frame, white inside, the green square from frame B, which only double-buffer damage carry-over
puts into frame C's buffer, the blue bar from frame C, the grey background); after KMS-RESTORED
it takes another and checks the pattern is gone. Any missing piece fails the test."""
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

DEADLINE = 90


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not an 8-bit P6 PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos:pos + w * h * 3]


def pixel(img, x, y):
    w, _, px = img
    i = (y * w + x) * 3
    return tuple(px[i:i + 3])


class Monitor:
    def __init__(self, path):
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("QEMU monitor socket never appeared")
        self.until(b"(qemu)")

    def until(self, token, timeout=20):
        buf, end = b"", time.time() + timeout
        while token not in buf:
            if time.time() > end:
                raise RuntimeError(f"monitor: no {token!r} in {buf[-200:]!r}")
            r, _, _ = select.select([self.s], [], [], 0.5)
            if r:
                buf += self.s.recv(4096)
        return buf

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        return self.until(b"(qemu)")


def main():
    if len(sys.argv) < 4:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    qemu, kernel, initrd = sys.argv[1:4]
    vga = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--vga" else "std"
    fails = []
    tmp = tempfile.mkdtemp(prefix="ward-kms-")
    mon_path = os.path.join(tmp, "mon")
    dev = ["-vga", "std"] if vga == "std" else ["-vga", "none", "-device", "virtio-gpu-pci"]
    cmd = [qemu, "-accel", "tcg", "-cpu", "max", "-m", "512", "-smp", "1", "-kernel", kernel,
           "-initrd", initrd, "-append", "console=ttyS0 panic=-1 quiet loglevel=3",
           "-display", "none", "-serial", "stdio", "-no-reboot", "-nodefaults",
           "-monitor", f"unix:{mon_path},server=on,wait=off"] + dev
    start = time.time()
    q = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    log = []
    mon = None
    shots = {}
    try:
        mon = Monitor(mon_path)
        buf = b""
        while True:
            if time.time() - start > DEADLINE:
                fails.append(f"no KMS-EXIT within {DEADLINE} s")
                break
            r, _, _ = select.select([q.stdout], [], [], 0.5)
            if not r:
                if q.poll() is not None:
                    fails.append(f"QEMU exited ({q.returncode}) before KMS-EXIT")
                    break
                continue
            chunk = os.read(q.stdout.fileno(), 4096)
            if not chunk:
                if q.poll() is None:
                    q.wait(5)
                fails.append("console closed before KMS-EXIT")
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode(errors="replace").rstrip("\r")
                log.append(text)
                print(f"guest: {text}", flush=True)
                for tag in ("KMS-READY", "KMS-RESTORED"):
                    if text.strip() == tag:
                        path = os.path.join(tmp, tag + ".ppm")
                        mon.cmd(f"screendump {path}")
                        shots[tag] = read_ppm(path)
                        q.stdin.write(b"go\n")
                        q.stdin.flush()
                if text.startswith("FAIL") or "KMS-INSMOD-FAILED" in text or "KMS-NO-CARD" in text:
                    fails.append(text)
                if text.startswith("KMS-EXIT"):
                    if text != "KMS-EXIT 0":
                        fails.append(text)
                    raise StopIteration
    except StopIteration:
        pass
    except Exception as e:  # noqa: BLE001 - any harness failure is a test failure
        fails.append(f"harness: {e}")
    finally:
        try:
            q.wait(15)
        except subprocess.TimeoutExpired:
            q.kill()
            q.wait()
    elapsed = time.time() - start

    ready = shots.get("KMS-READY")
    if ready is None:
        fails.append("no screendump at KMS-READY")
    else:
        w, h, _ = ready
        print(f"screendump at KMS-READY: {w}x{h}")
        expect = {
            "background (grey)": ((50, 50), (0x20, 0x20, 0x20)),
            "coalition frame, top edge (red)": ((300, 103), (0xcc, 0, 0)),
            "coalition frame, left edge (red)": ((103, 250), (0xcc, 0, 0)),
            "coalition frame, bottom-right corner (red)": ((496, 396), (0xcc, 0, 0)),
            "window inside (white)": ((300, 250), (0xff, 0xff, 0xff)),
            "frame B square, carried over (green)": ((700, 200), (0, 0xaa, 0)),
            "frame C bar (blue)": ((200, 540), (0, 0, 0xcc)),
            "outside the window (grey)": ((520, 250), (0x20, 0x20, 0x20)),
        }
        for what, ((x, y), rgb) in expect.items():
            got = pixel(ready, x, y) if x < w and y < h else None
            ok = got == rgb
            print(f"{'PASS' if ok else 'FAIL'} pixel {what} at ({x},{y}): {got}")
            if not ok:
                fails.append(f"pixel {what}: {got} != {rgb}")
    restored = shots.get("KMS-RESTORED")
    if restored is None:
        fails.append("no screendump at KMS-RESTORED")
    else:
        probes = [((300, 103), (0xcc, 0, 0)), ((700, 200), (0, 0xaa, 0)),
                  ((200, 540), (0, 0, 0xcc))]
        still = [p for p, rgb in probes if p[0] < restored[0] and p[1] < restored[1]
                 and pixel(restored, *p) == rgb]
        print(f"{'FAIL' if still else 'PASS'} after restore the pattern is gone")
        if still:
            fails.append(f"pattern still shown after restore at {still}")
    print(f"kms_test: {elapsed:.1f} s, {len(fails)} failure(s)")
    for f in fails:
        print(f"  {f}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
