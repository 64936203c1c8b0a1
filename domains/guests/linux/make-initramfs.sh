#!/usr/bin/env bash
# make-initramfs.sh OUT INIT [POWEROFF PRIVCMD_KO]: a newc cpio (gzip) with Debian's
# busybox-static and INIT as /init; with POWEROFF (ward-poweroff, static) as /bin/ward-poweroff
# and PRIVCMD_KO (the kernel's xen-privcmd module) as /lib/modules/xen-privcmd.ko.
# The shared steps are in ../lib/initramfs-lib.sh.
set -euo pipefail
out=$1 init=$2 poweroff=${3:-} privcmd=${4:-}
me=make-initramfs
# shellcheck source-path=SCRIPTDIR source=../lib/initramfs-lib.sh
. "$(dirname "$0")/../lib/initramfs-lib.sh"
[ -x "$busybox" ] || initramfs_fail "$busybox missing (package busybox-static)"
initramfs_root
if [ -n "$poweroff" ]; then
    install -m 755 "$poweroff" "$root/bin/ward-poweroff"
    mkdir -p "$root/lib/modules"
    install -m 644 "$privcmd" "$root/lib/modules/xen-privcmd.ko"
fi
initramfs_pack "$out" "$init"
