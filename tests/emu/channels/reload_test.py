#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot test of Ward's run-time ACM policy reload (docs/policy.md "Reloading the policy",
docs/channels.md "Policy reload"), with the `revoke` guest in four roles.

  reload_test.py [--bochs] ISO

The desktop policy is in force: server (personal) and client (vtpm) share an event channel and
a grant the client maps. The admin domain (label ward, capability `policy`) is refused bad
requests and a corrupted and a truncated policy (the old policy stays in force), then loads
separated.xml, where vtpm no longer holds ste_personal: Ward revokes the channel (both ends turn
unbound) and the mapping (a zero page stands in, the grant is no longer busy), logging both
labels; a new bind and map are refused. The nocap domain is refused the reload with -EPERM.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
import qemu_runner  # noqa: E402

BOCHS = len(sys.argv) > 1 and sys.argv[1] == "--bochs"
if BOCHS:
    del sys.argv[1]
    sys.path.insert(0, os.path.join(HERE, "..", "bochs"))
    import bochs_runner  # noqa: E402

CHECKS = {
    "server": ["shared_info_placed", "grant_table_placed", "alloc_unbound_peer",
               "client_mapped_and_wrote", "channel_connected", "grant_busy_while_mapped",
               "alloc_unbound_admin", "channel_revoked_unbound", "revocation_raised_port",
               "grant_not_busy_after_revocation", "grant_end_access",
               "client_ended"],
    "client": ["shared_info_placed", "bind_interdomain", "map_grant", "send",
               "channel_revoked_unbound", "mapping_reads_zero_page", "send_dropped",
               "rebind_refused", "map_refused", "unmap_revoked", "double_unmap"],
    "admin": ["policy_carried", "bad_interface_version", "empty_policy", "oversized_policy",
              "bad_buffer", "bound_to_server", "corrupted_policy_refused",
              "truncated_policy_refused", "reload", "revoked_count", "own_channel_kept"],
    "nocap": ["reload_without_capability"],
}

failures = []


def expect(cond, what):
    print(("ok      " if cond else "FAILED  ") + what)
    if not cond:
        failures.append(what)


def has(text, pattern):
    rx = re.compile(pattern)
    return any(rx.search(line) for line in text)


def index(text, pattern):
    rx = re.compile(pattern)
    for i, line in enumerate(text):
        if rx.search(line):
            return i
    return -1


def main():
    runner = bochs_runner if BOCHS else qemu_runner
    runner.skip_if_unavailable()
    run = runner.boot(sys.argv[1], timeout=150)
    text = run.text()
    expect(not run.timed_out, "the run ended by itself (no timeout)")
    expect(run.returncode == qemu_runner.EXIT_ALL_DOMAINS_ENDED,
           f"exit status {run.returncode} = all domains ended")
    expect(not has(text, r"FAILED|panic|hypervisor exception"), "no failed check, no panic")
    for dom, names in CHECKS.items():
        for n in names:
            expect(has(text, rf"^\[{dom}\] check {n} ok$"), f"{dom}: {n}")
        expect(has(text, rf"^\[{dom}\] {dom} done$"), f"{dom} finished")
    expect(has(text, r"acm: policy 'ward-desktop' in force"), "boot policy loaded")
    expect(has(text, r"acm: policy reload by domain 4 'nocap' refused: lacks capability "
                     r"'policy'"), "reload without the capability refused and logged")
    refused = index(text, r"acm: policy refused: digest mismatch")
    expect(refused >= 0, "corrupted policy refused with the loader's reason")
    expect(has(text, r"acm: reload by domain 3 refused; policy 'ward-desktop' stays in force"),
           "the old policy stays in force after a refusal")
    loaded = index(text, r"acm: policy 'ward-desktop-separated' 1\.1 in force \(generation \d+\), "
                         r"loaded by domain 3 'admin'; was 'ward-desktop'")
    expect(loaded > refused >= 0, "the new policy is in force after the refusals")
    expect(has(text, r"acm: revoked event channel between domain 1 'server' \(label personal\) "
                     r"port 1 and domain 2 'client' \(label vtpm\) port \d+"),
           "channel revocation logged with both labels")
    expect(has(text, r"acm: revoked grant mapping of domain 2 'client' \(label vtpm\) at "
                     r"0xe0100000 of grant 1 of domain 1 'server' \(label personal\)"),
           "mapping revocation logged with both labels")
    expect(has(text, r"acm: reload revoked 2 channel\(s\) and mapping\(s\)"), "two revocations")
    for what in ("event channel bind", "grant map"):
        expect(has(text, rf"acm: denied {what} between domain 2 'client' \(label vtpm\) and "
                         rf"domain 1 'server' \(label personal\): no common STE type$"),
               f"later {what} denied under the new policy")
    expect(not has(text, r"acm: revoked .*'admin'"), "the admin's channel survived")
    if failures:
        print("\n".join(text))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
