#!/bin/sh
# rdinit of the qemu_vtpm_eventlog guest (an overlay cpio appended to the test initramfs):
# reads the ACPI TPM2 table Linux exposes, then the log area it points at through /dev/mem
# (the first MiB is always readable), prints both for vtpm_log_test.py, and powers off.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
echo "WARD-GUEST: userspace up $(cut -d' ' -f1 /proc/uptime)"
t=/sys/firmware/acpi/tables/TPM2
if [ -r "$t" ]; then
    laml=$(od -An -tu4 -j64 -N4 "$t" | tr -d ' ')
    lasa=$(od -An -tu8 -j68 -N8 "$t" | tr -d ' ')
    echo "WARD-VTPM: table TPM2 bytes=$(wc -c < "$t" | tr -d ' ') laml=$laml lasa=$lasa"
    sum=$(dd if=/dev/mem bs=4096 skip=$((lasa / 4096)) count=16 2>/dev/null |
        dd bs=1 skip=$((lasa % 4096)) count="$laml" 2>/dev/null | sha256sum | cut -d' ' -f1)
    echo "WARD-VTPM: log sha256=$sum"
else
    echo "WARD-VTPM: no TPM2 table"
fi
echo "WARD-GUEST: poweroff"
poweroff -f
