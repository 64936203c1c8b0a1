#!/usr/bin/env bash
# fetch-kernel.sh OUT [PRIVCMD_OUT]: puts Debian's stock kernel bzImage (the package
# linux-image-amd64 points at) in OUT, and its xen-privcmd.ko module in PRIVCMD_OUT if given, via
# `apt-get download` into a cache outside the tree (lookup and download: ../lib/initramfs-lib.sh).
# Nothing is committed.
set -euo pipefail
out=$1 privcmd_out=${2:-}
me=fetch-kernel
# The package lookup and download (into the cache the initramfs scripts read) are shared:
# shellcheck source-path=SCRIPTDIR source=../lib/initramfs-lib.sh
. "$(dirname "$0")/../lib/initramfs-lib.sh"
mkdir -p "$(dirname "$out")"
initramfs_kernel_deb # sets deb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' \
    './lib/modules/*/kernel/drivers/xen/xen-privcmd.ko*'
if [ -n "$privcmd_out" ]; then
    ko=$(ls "$tmp"/lib/modules/*/kernel/drivers/xen/xen-privcmd.ko 2>/dev/null | head -n 1 || true)
    [ -n "$ko" ] || initramfs_fail "no uncompressed xen-privcmd.ko in $(basename "$deb")"
    cp "$ko" "$privcmd_out.tmp" && mv "$privcmd_out.tmp" "$privcmd_out"
fi
cp "$tmp"/boot/vmlinuz-* "$out.tmp" && mv "$out.tmp" "$out"
echo "fetch-kernel: $(basename "$deb") -> $out"
