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
import re
import sys

from emu_checks import EXIT_ALL_DOMAINS_ENDED, RUNNER, boot, expect, failures, has, index

CHECKS = {
    "server": ["shared_info_placed", "grant_table_placed", "alloc_unbound_peer",
               "client_mapped_and_wrote", "channel_connected", "grant_busy_while_mapped",
               "alloc_unbound_admin", "channel_revoked_unbound", "revocation_raised_port",
               "grant_not_busy_after_revocation", "grant_end_access",
               "client_ended", "admin_ended", "page_untouched_after_revocation"],
    "client": ["shared_info_placed", "bind_interdomain", "map_grant", "send",
               "channel_revoked_unbound", "mapping_reads_zero_page",
               "write_after_revocation_private", "send_dropped",
               "rebind_refused", "map_refused", "unmap_revoked", "double_unmap"],
    "admin": ["policy_carried", "bad_interface_version", "empty_policy", "oversized_policy",
              "bad_buffer", "bound_to_server", "corrupted_policy_refused",
              "truncated_policy_refused", "reload", "revoked_count", "own_channel_kept"],
    "nocap": ["reload_without_capability"],
}

def main():
    RUNNER.skip_if_unavailable()
    run = boot(sys.argv[1], 150)
    text = run.text()
    expect(not run.timed_out, "the run ended by itself (no timeout)")
    expect(run.returncode == EXIT_ALL_DOMAINS_ENDED,
           f"exit status {run.returncode} = all domains ended")
    expect(not has(text, r"FAILED|panic|hypervisor exception|ward: BUG"),
           "no failed check, no panic, no accounting bug")
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
    expect(has(text, r"ward: domain 2 'client' wrote to revoked grant mapping at 0xe0100000: a "
                     r"private page of its own stands in"),
           "the client's write after the revocation got a private page (logged)")
    for what in ("event channel bind", "grant map"):
        expect(has(text, rf"acm: denied {what} between domain 2 'client' \(label vtpm\) and "
                         rf"domain 1 'server' \(label personal\): no common STE type$"),
               f"later {what} denied under the new policy")
    expect(not has(text, r"acm: revoked .*'admin'"), "the admin's channel survived")
    bench = [line for line in text if "bench null hypercall cycles" in line]
    mhz = [line for line in text if re.search(r"ward: TSC \d+ MHz", line)]
    expect(len(bench) == 1, "reload cost figures printed")
    if bench and mhz:
        m = re.search(r"cycles (\d+) reload cycles (\d+) policy bytes (\d+)", bench[0])
        tsc = int(re.search(r"TSC (\d+) MHz", mhz[0]).group(1))
        null_us, reload_us = int(m.group(1)) / tsc, int(m.group(2)) / tsc
        print(f"figures: policy reload ({m.group(3)} bytes, 2 revocations) {reload_us:.0f} us; "
              f"null hypercall {null_us:.0f} us; ratio {reload_us / max(null_us, 0.001):.1f}")
    if failures:
        print("\n".join(text))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
