#!/usr/bin/env bash
# make-vtpm-initramfs.sh OUT INIT MANAGER BACKEND SERVE_CONF EVENTLOG: the vTPM domain's
# initramfs (newc cpio, gzip; docs/vtpm.md §7). Holds Debian's busybox-static, INIT as /init,
# xen-evtchn and xen-gntdev from the same Debian kernel package the build boots, swtpm and
# libtpms, ward-vtpm (MANAGER, installed as /bin/ward-vtpm) and ward-vtpm-backend with every
# shared library `ldd` lists (plus the swtpm TCTI that tpm2-tss loads at run time and the dynamic
# loader), and what the builder hands this domain for the domain it serves: SERVE_CONF
# (name=, label=, measurement=) as /etc/ward/serve.conf and that domain's launch event log as
# /etc/ward/serve.eventlog.
set -euo pipefail
out=$1 init=$2 manager=$3 backend=$4 conf=$5 eventlog=$6
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "make-vtpm-initramfs: $busybox missing (package busybox-static)" >&2; exit 1; }
swtpm=$(command -v swtpm) || { echo "make-vtpm-initramfs: swtpm missing (package swtpm)" >&2; exit 1; }
tcti=$(ls /usr/lib/x86_64-linux-gnu/libtss2-tcti-swtpm.so.0 2>/dev/null) ||
    { echo "make-vtpm-initramfs: libtss2-tcti-swtpm missing (package libtss2-tcti-swtpm0)" >&2; exit 1; }
cache=${WARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ward}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "make-vtpm-initramfs: apt-cache knows no linux-image-amd64" >&2; exit 1; }
deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    (cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || { echo "make-vtpm-initramfs: apt-get download $pkg failed" >&2; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root/tmp" \
    "$root/etc/ward" "$root/lib/modules/xen"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
    './lib/modules/*/kernel/drivers/xen/xen-evtchn.ko*' \
    './lib/modules/*/kernel/drivers/xen/xen-gntdev.ko*'
for m in xen-evtchn xen-gntdev; do
    f=$(ls "$tmp"/lib/modules/*/kernel/drivers/xen/$m.ko* | head -n 1)
    case "$f" in
    *.xz) xz -dc "$f" >"$root/lib/modules/xen/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/xen/$m.ko" ;;
    esac
done
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$swtpm" "$root/bin/swtpm"
strip -o "$root/bin/ward-vtpm" "$manager"
strip -o "$root/bin/ward-vtpm-backend" "$backend"
# Every shared library the programs (and the dlopen'ed TCTI) need, at the path ldd found it.
for f in "$swtpm" "$manager" "$backend" "$tcti"; do
    ldd "$f" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'
done | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
mkdir -p "$root$(dirname "$tcti")"
cp -L "$tcti" "$root$tcti"
cp "$conf" "$root/etc/ward/serve.conf"
cp "$eventlog" "$root/etc/ward/serve.eventlog"
cp "$init" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible -R 0:0) |
    gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-vtpm-initramfs: $out ($(stat -c %s "$out") bytes, modules from $(basename "$deb"))"
