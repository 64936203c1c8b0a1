#!/usr/bin/env bash
# Xen's own test-xenstore (xen-utils-4.17), unchanged, against wardstore: all 12 tests, then a
# random stress run.  test_xenstore_test.sh WARDSTORE WORKDIR
set -u
WARDSTORE=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$("$here/find_xen_tools.sh" "$work/xen-root")
if [ -z "$root" ]; then
    echo "SKIP: test-xenstore unavailable (no unpacked xen-utils-4.17 and apt-get download failed)"
    exit 77
fi
dir=$(mktemp -d /tmp/wardstore-xstest-XXXXXX)
"$WARDSTORE" --socket "$dir/sock" --state-dir "$dir/state" 2>"$dir/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -S "$dir/sock" ] && break; sleep 0.05; done
export XENSTORED_PATH=$dir/sock
export LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu
bin=$root/usr/lib/xen-4.17/bin/test-xenstore
"$bin" -i 20 || { echo "FAIL: test-xenstore"; exit 1; }
"$bin" -r 3 >/dev/null || { echo "FAIL: test-xenstore -r 3 (random stress)"; exit 1; }
kill -0 $pid || { echo "FAIL: wardstore died"; exit 1; }
echo "test-xenstore passed against wardstore"
