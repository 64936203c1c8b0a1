#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""QEMU boot tests of Ward's inter-domain channels (docs/channels.md), with the `channel` guest.

  channel_test.py policy ISO builtin ISO wall ISO

policy:  the desktop policy as a boot module; two "personal" domains stream 32 pages over a
         grant and an event channel, checked byte for byte; a "work" domain is refused the bind
         (-EACCES) and the map (GNTST_permission_denied), each refusal logged with both labels;
         bad ports, grant references and handles get Xen's errors; the client crashes while it
         maps the server's page: Ward tears the mapping down, the server sees its port unbound
         and can end (revoke) its grant.
builtin: no policy module: the built-in policy (equal labels only) gives the same outcome.
wall:    banking and untrusted are a Chinese Wall conflict set: the second is refused at start.
"""
import sys

from emu_checks import EXIT_ALL_DOMAINS_ENDED, RUNNER, boot, expect, failures, has

SERVER = ["shared_info_placed", "grant_table_placed", "alloc_unbound_peer", "peer_port",
          "alloc_unbound_intruder", "intruder_port", "client_connected", "acks",
          "grant_busy_while_mapped", "peer_disconnect_seen", "grant_free_after_peer_died",
          "grant_revoked"]
CLIENT = ["shared_info_placed", "bind_interdomain", "map_grant", "map_own_grant", "map_bad_ref",
          "map_over_ram", "map_no_such_domain", "unmap_bad_handle", "send_bad_port",
          "send_port_0", "close_port_0", "bytes_mismatched", "unmap", "double_unmap", "map_again"]
INTRUDER = ["intruder_bind_refused", "intruder_bind_peer_port_refused", "intruder_map_refused"]


def common(run, text):
    expect(not run.timed_out, "the run ended by itself (no timeout)")
    expect(run.returncode == EXIT_ALL_DOMAINS_ENDED,
           f"exit status {run.returncode} = all domains ended")
    expect(not has(text, r"FAILED|SURVIVED|panic|hypervisor exception"), "no failed check, no panic")


def exchange(run, rounds, policy):
    text = run.text()
    common(run, text)
    for dom, names in (("server", SERVER), ("client", CLIENT), ("intruder", INTRUDER)):
        for n in names:
            expect(has(text, rf"^\[{dom}\] check {n} ok$"), f"{dom}: {n}")
    expect(has(text, rf"^\[client\] client rounds {rounds}$"), f"client verified {rounds} pages")
    if policy:
        expect(has(text, r"acm: policy 'ward-desktop' in force"), "policy module loaded")
    else:
        expect(has(text, r"acm: no policy module; built-in policy"), "built-in policy announced")
    why = "no common STE type" if policy else "different labels \\(built-in policy\\)"
    for what in ("event channel bind", "grant map"):
        expect(has(text, rf"acm: denied {what} between domain 3 'intruder' \(label work\) and "
                         rf"domain 1 'server' \(label personal\): {why}$"),
               f"denied {what} logged with both labels")
    expect(has(text, r"domain 2 'client' destroyed: nested page fault"), "client killed mapped")
    expect(has(text, r"domain 2 'client' ended: 1 grant mapping\(s\) of its own torn down"),
           "its mapping torn down")
    expect(has(text, r"summary: domain 1 'server' ended"), "server ended normally")
    expect(has(text, r"summary: domain 3 'intruder' ended"), "intruder ended normally")


def wall(run):
    text = run.text()
    expect(not run.timed_out, "the run ended by itself (no timeout)")
    expect(has(text, r"acm: domain 2 'shady' \(label untrusted\) refused: Chinese Wall conflict "
                     r"with a running domain labelled banking \(conflict set banking_alone\)"),
           "untrusted refused next to banking, with a clear line")
    expect(has(text, r"1 of 3 domain\(s\) built") or has(text, r"summary: domain 1 'bank'"),
           "bank still ran")
    expect(not has(text, r"\[shady\]"), "shady never ran")


def main():
    RUNNER.skip_if_unavailable()
    args = sys.argv[1:]
    for scenario, iso in zip(args[0::2], args[1::2]):
        print(f"--- {scenario}")
        run = boot(iso, 120)
        before = len(failures)
        if scenario == "policy":
            exchange(run, 32, True)
        elif scenario == "builtin":
            exchange(run, 4, False)
        elif scenario == "wall":
            wall(run)
        if len(failures) != before:
            print("\n".join(run.text()))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
