#!/usr/bin/env bash
# make-vchan-initramfs.sh OUT INIT PEER BENCH: the vchan test domains' initramfs (newc cpio,
# gzip): Debian's busybox-static, INIT as /init, the static ward-vchan-peer and ward-vchan-bench
# (stripped) and xen-evtchn, xen-gntdev, xen-gntalloc from the same Debian kernel package the
# build boots (the cache domains/guests/linux/fetch-kernel.sh and the store image use).
set -euo pipefail
out=$1 init=$2 peer=$3 bench=$4
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "make-vchan-initramfs: $busybox missing (package busybox-static)" >&2; exit 1; }
cache=${WARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "make-vchan-initramfs: apt-cache knows no linux-image-amd64" >&2; exit 1; }
deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    (cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || { echo "make-vchan-initramfs: apt-get download $pkg failed" >&2; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/bin" "$tmp/root/dev" "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/lib/modules/xen"
mods="xen-evtchn xen-gntdev xen-gntalloc"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
    $(for m in $mods; do printf './lib/modules/*/kernel/drivers/xen/%s.ko* ' "$m"; done)
for m in $mods; do
    f=$(ls "$tmp"/lib/modules/*/kernel/drivers/xen/$m.ko* | head -n 1)
    case "$f" in
    *.xz) xz -dc "$f" >"$tmp/root/lib/modules/xen/$m.ko" ;;
    *) cp "$f" "$tmp/root/lib/modules/xen/$m.ko" ;;
    esac
done
cp "$busybox" "$tmp/root/bin/busybox"
ln -s busybox "$tmp/root/bin/sh"
strip -o "$tmp/root/bin/ward-vchan-peer" "$peer"
strip -o "$tmp/root/bin/ward-vchan-bench" "$bench"
cp "$init" "$tmp/root/init"
chmod 755 "$tmp/root/init"
(cd "$tmp/root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible -R 0:0) |
    gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-vchan-initramfs: $out ($(stat -c %s "$out") bytes, modules from $(basename "$deb"))"
