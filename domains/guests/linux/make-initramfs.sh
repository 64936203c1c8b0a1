#!/usr/bin/env bash
# make-initramfs.sh OUT INIT [POWEROFF PRIVCMD_KO]: a newc cpio (gzip) with Debian's
# busybox-static and INIT as /init; with POWEROFF (ward-poweroff, static) as /bin/ward-poweroff
# and PRIVCMD_KO (the kernel's xen-privcmd module) as /lib/modules/xen-privcmd.ko.
set -euo pipefail
out=$1 init=$2 poweroff=${3:-} privcmd=${4:-}
busybox=/bin/busybox # from busybox-static: no shared libraries needed in the initramfs
[ -x "$busybox" ] || { echo "make-initramfs: $busybox missing (package busybox-static)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/proc" "$tmp/sys"
cp "$busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
cp "$init" "$tmp/init"
if [ -n "$poweroff" ]; then
    install -m 755 "$poweroff" "$tmp/bin/ward-poweroff"
    mkdir -p "$tmp/lib/modules"
    install -m 644 "$privcmd" "$tmp/lib/modules/xen-privcmd.ko"
fi
chmod 755 "$tmp/init"
(cd "$tmp" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible -R 0:0) |
    gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-initramfs: $out ($(stat -c %s "$out") bytes)"
