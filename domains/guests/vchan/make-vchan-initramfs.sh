#!/usr/bin/env bash
# make-vchan-initramfs.sh OUT INIT PEER BENCH: the vchan test domains' initramfs (newc cpio,
# gzip): Debian's busybox-static, INIT as /init, the static ward-vchan-peer and ward-vchan-bench
# (stripped) and xen-evtchn, xen-gntdev, xen-gntalloc from the same Debian kernel package the
# build boots (the cache domains/guests/linux/fetch-kernel.sh and the store image use). The
# shared steps are in ../lib/initramfs-lib.sh.
set -euo pipefail
out=$1 init=$2 peer=$3 bench=$4
me=make-vchan-initramfs
# shellcheck source-path=SCRIPTDIR source=../lib/initramfs-lib.sh
. "$(dirname "$0")/../lib/initramfs-lib.sh"
initramfs_begin
initramfs_modules xen lib/modules/xen xen-evtchn xen-gntdev xen-gntalloc
strip -o "$root/bin/ward-vchan-peer" "$peer"
strip -o "$root/bin/ward-vchan-bench" "$bench"
initramfs_pack "$out" "$init"
