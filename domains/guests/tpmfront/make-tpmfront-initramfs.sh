#!/usr/bin/env bash
# make-tpmfront-initramfs.sh OUT INIT PROBE XSPROBE: the tpmfront test guest's initramfs (newc
# cpio, gzip): Debian's busybox-static, INIT as /init, the static ward-tpm-probe and ward-xs-probe
# (domains/guests/store: xenstore reads and writes through /dev/xen/xenbus), xen-tpmfront.ko
# from the same Debian kernel package the build boots (the TPM core is built in). The shared
# steps are in ../lib/initramfs-lib.sh.
set -euo pipefail
out=$1 init=$2 probe=$3 xsprobe=$4
me=make-tpmfront-initramfs
# shellcheck source-path=SCRIPTDIR source=../lib/initramfs-lib.sh
. "$(dirname "$0")/../lib/initramfs-lib.sh"
initramfs_begin lib/modules
initramfs_modules char/tpm lib/modules xen-tpmfront
strip -o "$root/bin/ward-tpm-probe" "$probe"
strip -o "$root/bin/ward-xs-probe" "$xsprobe"
initramfs_pack "$out" "$init"
