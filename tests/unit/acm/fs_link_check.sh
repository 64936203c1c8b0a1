#!/usr/bin/env bash
# hv_acm_fs links into a -nostdlib image with no undefined symbols (no libc, libstdc++, libgcc).
set -uo pipefail
bin=$1 probe=$2
out=$(cmake --build "$bin" --target acm_fs_probe 2>&1) || { echo "acm_fs_probe failed to link:"; echo "$out"; exit 1; }
undef=$(nm -u "$probe")
if [ -n "$undef" ]; then
    echo "FAIL: undefined symbols in the freestanding ACM probe:"; echo "$undef"; exit 1
fi
echo "ok: hv_acm_fs links with -nostdlib -static and leaves no undefined symbol"
