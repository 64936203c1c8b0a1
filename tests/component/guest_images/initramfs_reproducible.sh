#!/usr/bin/env bash
# initramfs_reproducible.sh MAKE_INITRAMFS INIT POWEROFF PRIVCMD_KO: builds the Linux guests'
# initramfs twice from the same inputs, a second apart and with the inputs' mtimes moved in
# between, and fails unless both images are the same bytes (docs/linux-guest.md: the image is a
# measured boot module, so its hash must follow from its inputs alone).
set -euo pipefail
make_initramfs=$1 init=$2 poweroff=$3 privcmd=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$init" "$tmp/init.sh"
cp "$poweroff" "$tmp/ward-poweroff"
cp "$privcmd" "$tmp/xen-privcmd.ko"
"$make_initramfs" "$tmp/a.cpio.gz" "$tmp/init.sh" "$tmp/ward-poweroff" "$tmp/xen-privcmd.ko" >/dev/null
sleep 1
touch "$tmp/init.sh" "$tmp/ward-poweroff" "$tmp/xen-privcmd.ko"
"$make_initramfs" "$tmp/b.cpio.gz" "$tmp/init.sh" "$tmp/ward-poweroff" "$tmp/xen-privcmd.ko" >/dev/null
if ! cmp "$tmp/a.cpio.gz" "$tmp/b.cpio.gz"; then
    echo "FAIL: two builds of the initramfs from the same inputs differ"
    exit 1
fi
# And a changed input must change the image (the comparison above is not vacuous).
echo "# changed" >>"$tmp/init.sh"
"$make_initramfs" "$tmp/c.cpio.gz" "$tmp/init.sh" "$tmp/ward-poweroff" "$tmp/xen-privcmd.ko" >/dev/null
if cmp -s "$tmp/a.cpio.gz" "$tmp/c.cpio.gz"; then
    echo "FAIL: a changed /init left the image unchanged"
    exit 1
fi
echo "ok: initramfs builds are byte-identical ($(sha256sum <"$tmp/a.cpio.gz" | cut -c1-16)...)"
