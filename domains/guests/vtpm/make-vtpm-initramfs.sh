#!/usr/bin/env bash
# make-vtpm-initramfs.sh OUT INIT MANAGER BACKEND SERVE_CONF EVENTLOG: the vTPM domain's
# initramfs (newc cpio, gzip; docs/vtpm.md §7). Holds Debian's busybox-static, INIT as /init,
# xen-evtchn and xen-gntdev from the same Debian kernel package the build boots, swtpm and
# libtpms, ward-vtpm (MANAGER, installed as /bin/ward-vtpm) and ward-vtpm-backend with every
# shared library `ldd` lists (plus the swtpm TCTI that tpm2-tss loads at run time and the dynamic
# loader), and what the builder hands this domain for the domain it serves: SERVE_CONF
# (name=, label=, measurement=) as /etc/ward/serve.conf and that domain's launch event log as
# /etc/ward/serve.eventlog. The shared steps are in ../lib/initramfs-lib.sh.
set -euo pipefail
out=$1 init=$2 manager=$3 backend=$4 conf=$5 eventlog=$6
me=make-vtpm-initramfs
# shellcheck source-path=SCRIPTDIR source=../lib/initramfs-lib.sh
. "$(dirname "$0")/../lib/initramfs-lib.sh"
swtpm=$(command -v swtpm) || initramfs_fail "swtpm missing (package swtpm)"
tcti=$(ls /usr/lib/x86_64-linux-gnu/libtss2-tcti-swtpm.so.0 2>/dev/null) ||
    initramfs_fail "libtss2-tcti-swtpm missing (package libtss2-tcti-swtpm0)"
initramfs_begin run tmp etc/ward
initramfs_modules xen lib/modules/xen xen-evtchn xen-gntdev
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
initramfs_pack "$out" "$init"
