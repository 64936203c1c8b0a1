#!/bin/sh
# /init of the vchan test domains (docs/vchan.md section 7): loads xen-evtchn, xen-gntdev and
# xen-gntalloc, then runs ward-vchan-peer as the kernel command line says:
#   ward.vchan=server:PORTS:BYTES:CLIENT[:INTRUDER]  or  ward.vchan=client:SERVER:PORT:BYTES[:crash]
#   (several ward.vchan= run one after the other)
#   ward.vchan=bench:server:CLIENT:BYTES:ORDER... / bench:client:SERVER:BYTES:ORDER...  runs
#   ward-vchan-bench (make bench-vchan-linux)
#   ward.poweroff   power off when the peer programs have ended (else stay idle)
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
spec='' off=''
for a in $(cat /proc/cmdline); do
    case "$a" in
    ward.vchan=*) spec="$spec ${a#*=}" ;;
    ward.poweroff) off=1 ;;
    esac
done
echo "WARD-VCHAN: userspace up"
for m in xen-evtchn xen-gntdev xen-gntalloc; do
    insmod "/lib/modules/xen/$m.ko" || echo "WARD-VCHAN: insmod $m failed"
done
for one in $spec; do
    prog=/bin/ward-vchan-peer
    case "$one" in
    bench:*) prog=/bin/ward-vchan-bench one=${one#bench:} ;;
    esac
    # shellcheck disable=SC2046
    $prog $(echo "$one" | tr ':' ' ')
    echo "WARD-VCHAN: ${prog#/bin/} $one exited with status $?"
done
if [ -n "$off" ]; then
    echo "WARD-VCHAN: poweroff"
    poweroff -f
fi
echo "WARD-VCHAN: idle"
while true; do sleep 3600; done
