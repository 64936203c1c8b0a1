#!/usr/bin/env bash
# make-initramfs.sh OUT INIT: a newc cpio (gzip) with Debian's busybox-static as the only binary
# and INIT as /init.
set -euo pipefail
out=$1 init=$2
busybox=/bin/busybox # from busybox-static: no shared libraries needed in the initramfs
[ -x "$busybox" ] || { echo "make-initramfs: $busybox missing (package busybox-static)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/proc" "$tmp/sys"
cp "$busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
cp "$init" "$tmp/init"
chmod 755 "$tmp/init"
(cd "$tmp" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible -R 0:0) |
    gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-initramfs: $out ($(stat -c %s "$out") bytes)"
