#!/bin/sh
# /init of Ward's test initramfs (busybox). Prints markers the boot tests read, then powers off.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
echo "WARD-GUEST: userspace up $(cut -d' ' -f1 /proc/uptime)"
echo "WARD-GUEST: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
echo "WARD-GUEST: hypervisor $(cat /sys/hypervisor/type 2>/dev/null || echo none)"
case " $(cat /proc/cmdline) " in
*" ward.shell "*)
    echo "WARD-GUEST: shell"
    exec setsid cttyhack sh
    ;;
esac
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 1
t1=$(cut -d' ' -f1 /proc/uptime)
echo "WARD-GUEST: slept 1s, uptime $t0 -> $t1"
echo "WARD-GUEST: poweroff"
poweroff -f
