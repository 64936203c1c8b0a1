#!/usr/bin/env bash
# fetch-kernel.sh OUT [PRIVCMD_OUT]: puts Debian's stock kernel bzImage (the package
# linux-image-amd64 points at) in OUT, and its xen-privcmd.ko module in PRIVCMD_OUT if given, via
# `apt-get download` into a cache outside the tree. Nothing is committed.
set -euo pipefail
out=$1 privcmd_out=${2:-}
cache=${WARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}
mkdir -p "$cache" "$(dirname "$out")"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
    echo "fetch-kernel: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2
    exit 1
fi
deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    (cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || { echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' \
    './lib/modules/*/kernel/drivers/xen/xen-privcmd.ko*'
if [ -n "$privcmd_out" ]; then
    ko=$(ls "$tmp"/lib/modules/*/kernel/drivers/xen/xen-privcmd.ko 2>/dev/null | head -n 1 || true)
    [ -n "$ko" ] || { echo "fetch-kernel: no uncompressed xen-privcmd.ko in $(basename "$deb")" >&2; exit 1; }
    cp "$ko" "$privcmd_out.tmp" && mv "$privcmd_out.tmp" "$privcmd_out"
fi
cp "$tmp"/boot/vmlinuz-* "$out.tmp" && mv "$out.tmp" "$out"
echo "fetch-kernel: $(basename "$deb") -> $out"
