#!/usr/bin/env bash
# The freestanding link must fail on libc/libstdc++ symbols and succeed without them.
set -uo pipefail
bin=$1
out=$(cmake --build "$bin" --target fs_probe_clean 2>&1) || { echo "clean probe failed to link:"; echo "$out"; exit 1; }
out=$(cmake --build "$bin" --target fs_probe_libc 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
    echo "FAIL: a freestanding image calling strlen and operator new linked"
    exit 1
fi
for sym in strlen "operator new"; do
    grep -q "undefined reference to \`$sym" <<<"$out" || { echo "FAIL: no undefined reference to $sym:"; echo "$out"; exit 1; }
done
echo "ok: freestanding link rejects strlen and operator new, accepts the clean probe"
