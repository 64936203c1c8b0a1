#!/usr/bin/env bash
# Prints the root of an unpacked Debian xen-utils-4.17 (with libxenstore4), for test-xenstore
# and oxenstored. Looks where oxenstored-host/run.sh unpacks it; otherwise unpacks it the same
# way (apt-get download + dpkg -x) into $1. Prints nothing if neither works.
set -u
dest=${1:-}
for d in "${WARD_XEN_ROOT:-}" "${WARD_SOURCE_DIR:-}/build-rel/oxenstored-host/root" \
         "${WARD_BINARY_DIR:-}/oxenstored-host/root" "$dest"; do
    if [ -n "$d" ] && [ -x "$d/usr/lib/xen-4.17/bin/test-xenstore" ]; then
        echo "$d"; exit 0
    fi
done
[ -n "$dest" ] || exit 0
mkdir -p "$dest/debs" && cd "$dest/debs" || exit 0
for p in xen-utils-4.17 libxenstore4; do
    apt-get download -q "$p" >/dev/null 2>&1 || exit 0
done
for f in *.deb; do dpkg -x "$f" "$dest" || exit 0; done
[ -x "$dest/usr/lib/xen-4.17/bin/test-xenstore" ] && echo "$dest"
exit 0
