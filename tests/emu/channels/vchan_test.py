#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vchan between two domains on Ward (docs/channels.md, docs/vchan.md): the libxenvchan layout
over grants and event channels (tests/emu/guests/vchan_guest.c).

  vchan_test.py ISO            test: four ring sizes, every byte checked, the event upcall,
                               round trips, the peer's close seen
  vchan_test.py --bench ISO    bench-channels: MiB/s per ring size against a memcpy of the same
                               size in one domain; notify round trip against a null hypercall
"""
import re
import sys

from emu_checks import EXIT_ALL_DOMAINS_ENDED, RUNNER, boot

CHECKS = {"vserver": ["shared_info_placed", "grant_table_placed", "server_init",
                      "rtt_port_allocated", "callback_vector_set", "upcall_delivered",
                      "wake_seen", "echoes"],
          "vclient": ["shared_info_placed", "client_init", "vchan_bytes_received",
                      "vchan_bytes_mismatched", "rtt_port_bound", "bind_raised_port",
                      "echo_ready", "round_trips",
                      "peer_closed_seen"]}


def figures(text):
    mhz = None
    out = {"vchan": [], "memcpy": None, "rtt": None, "null": None}
    for line in text:
        m = re.search(r"ward: TSC (\d+) MHz", line)
        if m:
            mhz = int(m.group(1))
        m = re.search(r"bench vchan ring (\d+) bytes (\d+) cycles (\d+) /256", line)
        if m:
            out["vchan"].append((int(m.group(1)), int(m.group(2)), int(m.group(3)) * 256))
        m = re.search(r"bench memcpy bytes (\d+) cycles (\d+) /256", line)
        if m:
            out["memcpy"] = (int(m.group(1)), int(m.group(2)) * 256)
        m = re.search(r"bench (notify_rtt|null_hypercall) count (\d+) cycles (\d+) /256", line)
        if m:
            out["rtt" if m.group(1) == "notify_rtt" else "null"] = (int(m.group(2)), int(m.group(3)) * 256)
    return mhz, out


def main():
    RUNNER.skip_if_unavailable()
    bench = sys.argv[1] == "--bench"
    iso = sys.argv[-1]
    run = boot(iso, 300 if bench else 150)
    text = run.text()
    failures = []

    def expect(cond, what):
        print(("ok      " if cond else "FAILED  ") + what)
        if not cond:
            failures.append(what)

    expect(not run.timed_out, "the run ended by itself")
    expect(run.returncode == EXIT_ALL_DOMAINS_ENDED, "all domains ended")
    expect(not any("FAILED" in l or "panic" in l for l in text), "no failed check")
    for dom, names in CHECKS.items():
        for n in names:
            expect(any(re.search(rf"^\[{dom}\] check {n} ok$", l) for l in text), f"{dom}: {n}")
    mhz, f = figures(text)
    expect(len(f["vchan"]) == 4 and f["memcpy"] and f["rtt"] and f["null"] and mhz, "all figures")
    if not failures or bench:
        if mhz and f["memcpy"]:
            mb, mcyc = f["memcpy"]
            memcpy_rate = mb / (mcyc / mhz / 1e6) / 2**20
            print(f"TSC {mhz} MHz (as Ward calibrated it; guest rdtsc)")
            print(f"memcpy in one domain   {mb >> 10:6d} KiB: {memcpy_rate:9.1f} MiB/s")
            for ring, nbytes, cyc in f["vchan"]:
                rate = nbytes / (cyc / mhz / 1e6) / 2**20
                print(f"vchan ring {ring:6d} B    {nbytes >> 10:6d} KiB: {rate:9.1f} MiB/s  "
                      f"= {rate / memcpy_rate:.3f} x memcpy")
        if mhz and f["rtt"] and f["null"]:
            n, rc = f["rtt"]
            n2, nc = f["null"]
            rtt_us, null_us = rc / n / mhz, nc / n2 / mhz
            print(f"event channel notify round trip: {rtt_us:8.2f} us ({rc / n:.0f} cycles)")
            print(f"null hypercall (xen_version):   {null_us:8.2f} us ({nc / n2:.0f} cycles)")
            print(f"ratio round trip / null hypercall: {rtt_us / null_us:.1f}")
    if failures:
        print("\n".join(text))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
