#!/usr/bin/env bash
# make-tpmfront-initramfs.sh OUT INIT PROBE XSPROBE: the tpmfront test guest's initramfs (newc
# cpio, gzip): Debian's busybox-static, INIT as /init, the static ward-tpm-probe and ward-xs-probe
# (domains/guests/store: xenstore reads and writes through /dev/xen/xenbus), xen-tpmfront.ko
# from the same Debian kernel package the build boots (the TPM core is built in).
set -euo pipefail
out=$1 init=$2 probe=$3 xsprobe=$4
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "make-tpmfront-initramfs: $busybox missing (package busybox-static)" >&2; exit 1; }
cache=${WARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "make-tpmfront-initramfs: apt-cache knows no linux-image-amd64" >&2; exit 1; }
deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    (cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || { echo "make-tpmfront-initramfs: apt-get download $pkg failed" >&2; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/lib/modules"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
    './lib/modules/*/kernel/drivers/char/tpm/xen-tpmfront.ko*'
f=$(ls "$tmp"/lib/modules/*/kernel/drivers/char/tpm/xen-tpmfront.ko* | head -n 1)
case "$f" in
*.xz) xz -dc "$f" >"$root/lib/modules/xen-tpmfront.ko" ;;
*) cp "$f" "$root/lib/modules/xen-tpmfront.ko" ;;
esac
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
strip -o "$root/bin/ward-tpm-probe" "$probe"
strip -o "$root/bin/ward-xs-probe" "$xsprobe"
cp "$init" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible -R 0:0) |
    gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-tpmfront-initramfs: $out ($(stat -c %s "$out") bytes, module from $(basename "$deb"))"
