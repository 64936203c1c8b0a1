#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench-vchan-linux: boots Ward under QEMU TCG with the store domain and two Linux domains
running ward-vchan-bench (dom::vchan's grant transport), and prints, per ring size, the vchan
throughput from client to server and a memcpy of the same size in the server's domain, as the
guest measured them, plus the serial-log time of the whole run (docs/vchan.md section 8).
Usage: linux_vchan_bench.py IMAGE [--echo]
"""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

DONE = "VCHAN-BENCH: server done"


def main():
    iso = sys.argv[1]
    echo = "--echo" in sys.argv
    cmd = qemu_runner.qemu_command(iso, memory="1024M")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = []
    done = threading.Event()

    def reader():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lines.append((time.monotonic() - start, line))
            if echo:
                print(f"[{lines[-1][0]:8.3f}] {line}", flush=True)
            if DONE in line or "failed" in line and "VCHAN-BENCH" in line:
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    finished = done.wait(timeout=float(os.environ.get("WARD_BENCH_TIMEOUT", "600")))
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    rows = [(t, l) for t, l in lines
            if "VCHAN-BENCH: ring" in l or "VCHAN-BENCH: server done" in l]
    print("vchan between two Linux domains on Ward (QEMU TCG), client -> server, vs memcpy in "
          "the server's domain:")
    for t, l in rows:
        print(f"  [{t:7.2f}s] {l.split('VCHAN-BENCH: ', 1)[1]}")
    bad = [l for _, l in lines if "VCHAN-BENCH" in l and "failed" in l]
    if not finished or bad or not rows:
        print("\n".join(l for _, l in lines[-60:]))
        print("FAIL:", bad[0] if bad else "the benchmark did not finish")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
