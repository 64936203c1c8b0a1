# shellcheck shell=bash
# initramfs-lib.sh: the steps every make-*-initramfs.sh under domains/guests/ shares, sourced
# (bash, set -euo pipefail) after the script sets `me` to its own name for messages:
#   initramfs_kernel_deb            sets `deb`, the Debian kernel package file (also used by
#                                   domains/guests/linux/fetch-kernel.sh, which fills the cache)
#   initramfs_begin [DIR...]        checks Debian's busybox-static is there; sets `deb`, the
#                                   Debian kernel package the build boots, from the cache
#                                   domains/guests/linux/fetch-kernel.sh fills (apt-get download
#                                   into it when missing); sets `tmp` (removed on exit) and
#                                   `root` ($tmp/root) with bin dev proc sys and each DIR, busybox
#                                   as /bin/busybox and /bin/sh
#   initramfs_modules SRC DEST M... extracts kernel/drivers/SRC/M.ko* of each module M from `deb`
#                                   and writes it uncompressed as $root/DEST/M.ko
#   initramfs_pack OUT INIT         INIT as /init (mode 755), then `root` as a newc cpio (sorted
#                                   names, owner 0:0, every mtime SOURCE_DATE_EPOCH or 0,
#                                   --reproducible) compressed with gzip -9n into OUT, replaced
#                                   atomically; says what it made. The same inputs give the same
#                                   bytes, so the image's measurement (PCR 9) can be predicted
#   initramfs_fail MESSAGE...       "$me: MESSAGE" on stderr, exit 1
me=${me:-initramfs}
busybox=/bin/busybox

initramfs_fail()
{
    echo "$me: $*" >&2
    exit 1
}

initramfs_begin()
{
    [ -x "$busybox" ] || initramfs_fail "$busybox missing (package busybox-static)"
    initramfs_kernel_deb
    initramfs_root "$@"
}

initramfs_kernel_deb()
{
    local cache=${WARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ward} pkg
    mkdir -p "$cache"
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    [ -n "$pkg" ] || initramfs_fail "apt-cache knows no linux-image-amd64 (run apt-get update)"
    deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        (cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
        deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
        [ -n "$deb" ] || initramfs_fail "apt-get download $pkg failed"
    fi
}

initramfs_root()
{
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    root=$tmp/root
    mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
    local d
    for d in "$@"; do
        mkdir -p "$root/$d"
    done
    cp "$busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
}

initramfs_modules()
{
    local src=$1 dest=$2 m f patterns=()
    shift 2
    mkdir -p "$root/$dest"
    for m in "$@"; do
        patterns+=("./lib/modules/*/kernel/drivers/$src/$m.ko*")
    done
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "${patterns[@]}"
    for m in "$@"; do
        f=$(ls "$tmp"/lib/modules/*/kernel/drivers/"$src"/"$m".ko* | head -n 1)
        case "$f" in
        *.xz) xz -dc "$f" >"$root/$dest/$m.ko" ;;
        *) cp "$f" "$root/$dest/$m.ko" ;;
        esac
    done
}

initramfs_pack()
{
    local out=$1 init=$2
    cp "$init" "$root/init"
    chmod 755 "$root/init"
    find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
    (cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible -R 0:0) |
        gzip -9n >"$out.tmp"
    mv "$out.tmp" "$out"
    echo "$me: $out ($(stat -c %s "$out") bytes${deb:+, kernel modules from $(basename "$deb")})"
}
