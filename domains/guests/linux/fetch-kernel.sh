#!/usr/bin/env bash
# fetch-kernel.sh OUT: puts Debian's stock kernel bzImage (the package linux-image-amd64 points
# at) in OUT, via `apt-get download` into a cache outside the tree. Nothing is committed.
set -euo pipefail
out=$1
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
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
cp "$tmp"/boot/vmlinuz-* "$out.tmp" && mv "$out.tmp" "$out"
echo "fetch-kernel: $(basename "$deb") -> $out"
