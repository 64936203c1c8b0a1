#!/bin/sh
# /init of the KMS test initramfs: load the DRM modules listed in /modules (dependency order),
# wait for /dev/dri/card0, run /kms-test on the serial console, power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules); do
    insmod "/lib/modules/$m.ko" || echo "KMS-INSMOD-FAILED $m"
done
i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/dri/card0 ] || echo "KMS-NO-CARD: $(ls /dev/dri 2>&1)"
/kms-test </dev/console >/dev/console 2>&1
echo "KMS-EXIT $?"
poweroff -f
