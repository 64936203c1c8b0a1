#!/usr/bin/env bash
# make-store-initramfs.sh OUT INIT WARDSTORE PROBE: the store-domain image's initramfs (newc
# cpio, gzip): Debian's busybox-static, INIT as /init, the static wardstore-domain and
# ward-xs-probe (stripped), and xen-evtchn, xen-gntdev, xen-privcmd from the same Debian kernel
# package the build boots (fetched by domains/guests/linux/fetch-kernel.sh into the same cache).
# The shared steps are in ../lib/initramfs-lib.sh.
set -euo pipefail
out=$1 init=$2 wardstore=$3 probe=$4
me=make-store-initramfs
# shellcheck source-path=SCRIPTDIR source=../lib/initramfs-lib.sh
. "$(dirname "$0")/../lib/initramfs-lib.sh"
initramfs_begin
initramfs_modules xen lib/modules/xen xen-evtchn xen-gntdev xen-privcmd
strip -o "$root/bin/wardstore-domain" "$wardstore"
strip -o "$root/bin/ward-xs-probe" "$probe"
initramfs_pack "$out" "$init"
