#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench-vchan-linux: boots Ward under QEMU TCG with the store domain and two Linux domains
running ward-vchan-bench (dom::vchan's grant transport), and prints, per ring size, the vchan
throughput from client to server and a memcpy of the same size in the server's domain, as the
guest measured them, plus the serial-log time of the whole run (docs/vchan.md section 8).
Usage: linux_vchan_bench.py IMAGE [--echo]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import qemu_runner  # noqa: E402

DONE = "VCHAN-BENCH: server done"


def main():
    iso = sys.argv[1]
    run = qemu_runner.boot(iso, timeout=float(os.environ.get("WARD_BENCH_TIMEOUT", "600")),
                           echo="--echo" in sys.argv, memory="1024M", grace=0,
                           until=lambda l: DONE in l or "failed" in l and "VCHAN-BENCH" in l)
    lines = run.lines
    finished = not run.timed_out
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
