#!/bin/sh
# /init of the store-domain test images (docs/store-domain.md). One initramfs, two roles, chosen
# on the kernel command line:
#   ward.role=store   load xen-evtchn, xen-gntdev, xen-privcmd and run wardstore-domain
#   ward.role=guest   report xenbus, write and read back a key in its own xenstore home;
#                     ward.probe=D: try to map domain D's grant ref 1 (must be refused);
#                     ward.poweroff: power off afterwards (else stay idle)
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
role=guest probe='' off='' verbose=''
for a in $(cat /proc/cmdline); do
    case "$a" in
    ward.role=*) role=${a#*=} ;;
    ward.probe=*) probe=${a#*=} ;;
    ward.poweroff) off=1 ;;
    ward.verbose) verbose=1 ;;
    esac
done
load() { # load MODULE [PARAM=VALUE...]
    [ -n "$verbose" ] && echo "WARD-STORE: loading $*"
    m=$1
    shift
    insmod "/lib/modules/xen/$m.ko" "$@" || echo "WARD-STORE: insmod $m failed"
}
if [ "$role" = store ]; then
    echo "WARD-STORE: userspace up"
    load xen-evtchn
    load xen-gntdev
    # In a domU, privcmd holds every hypercall until it has read its target domain from
    # xenstore, which the store domain has none of: unrestricted=1 lifts that. Ward checks
    # the store capability on the one hypercall wardstore makes (WARD_DOMCTL_STORE_INFO).
    load xen-privcmd unrestricted=1
    echo "WARD-STORE: starting wardstore-domain"
    /bin/wardstore-domain --socket /run/ward/xenstored/socket --state-dir /run/ward/store
    echo "WARD-STORE: wardstore-domain exited with status $?"
    while true; do sleep 3600; done
fi
echo "WARD-GUEST: userspace up"
if grep -q xenbus /proc/interrupts; then
    echo "WARD-GUEST: xenbus irq present"
else
    echo "WARD-GUEST: no xenbus irq"
fi
name=$(ward-xs-probe read name)
echo "WARD-GUEST: xenstore home name=$name"
val="hello-from-$name"
if ward-xs-probe write data/ward-test "$val" && [ "$(ward-xs-probe read data/ward-test)" = "$val" ]; then
    echo "WARD-GUEST: xenstore write+read ok ($val)"
else
    echo "WARD-GUEST: xenstore write+read FAILED"
fi
if [ -n "$probe" ]; then
    load xen-gntdev
    ward-xs-probe map "$probe" 1
fi
if [ -n "$off" ]; then
    echo "WARD-GUEST: poweroff"
    poweroff -f
fi
echo "WARD-GUEST: idle"
while true; do sleep 3600; done
