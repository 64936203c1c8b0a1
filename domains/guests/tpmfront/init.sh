#!/bin/sh
# /init of the tpmfront test guest (docs/vtpm.md §7): Linux's unchanged xen-tpmfront gets
# /dev/tpm0 from the vTPM domain's tpmif v2 backend; ward-tpm-probe sends TPM2 commands through
# it (GetRandom, PCR_Read of the launch PCRs 8 and 9, and ward.bench=N PCR_Reads for a rate).
# ward.badref=REF first plays a broken frontend offering an ungranted ring-ref (ward-xs-probe).
# Then the driver is unbound (the frontend closes the device) and bound again (a new ring on the
# same device), the probe runs again, and with ward.poweroff the guest powers off.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
off='' bench='' intruder='' badref=''
for a in $(cat /proc/cmdline); do
    case "$a" in
    ward.poweroff) off=1 ;;
    ward.badref=*) badref=${a#*=} ;;
    ward.intruder) intruder=1 ;;
    ward.bench=*) bench=${a#*=} ;;
    esac
done
echo "WARD-TPMFRONT: userspace up"
if [ -n "$intruder" ]; then
    # ward.intruder: a domain whose vtpm device the backend refuses. Linux's probe sends its
    # first command before it sees the backend close, and waits for it, so load in background.
    insmod /lib/modules/xen-tpmfront.ko &
    echo "WARD-TPMFRONT: intruder loading xen-tpmfront"
    while true; do sleep 3600; done
fi
# wait_node PATH VALUE: until the xenstore node PATH reads VALUE (bounded).
wait_node() {
    n=0
    while [ "$(ward-xs-probe read "$1" 2>/dev/null)" != "$2" ] && [ $n -lt 300 ]; do
        sleep 1
        n=$((n + 1))
    done
    [ "$(ward-xs-probe read "$1" 2>/dev/null)" = "$2" ]
}
if [ -n "$badref" ]; then
    # ward.badref=REF: before the driver loads, act as a broken frontend: offer grant REF, which
    # this domain never granted, and check the backend refuses it (Closed) and offers the device
    # again once the frontend starts over (Initialising).
    dev=device/vtpm/0
    n=0
    while ! be=$(ward-xs-probe read $dev/backend 2>/dev/null) && [ $n -lt 300 ]; do
        sleep 1
        n=$((n + 1))
    done
    if wait_node "$be/state" 2 && ward-xs-probe write $dev/ring-ref "$badref" &&
        ward-xs-probe write $dev/event-channel 1 && ward-xs-probe write $dev/feature-protocol-v2 1 &&
        ward-xs-probe write $dev/state 3 && wait_node "$be/state" 6; then
        echo "WARD-TPMFRONT: backend closed the device on ring-ref $badref"
        ward-xs-probe write $dev/state 1 && wait_node "$be/state" 2 &&
            echo "WARD-TPMFRONT: backend offers the device again"
    else
        echo "WARD-TPMFRONT: bad ring-ref check FAILED"
    fi
fi
insmod /lib/modules/xen-tpmfront.ko || echo "WARD-TPMFRONT: insmod xen-tpmfront FAILED"
# The driver registers /dev/tpm0 once its probe (which already sends commands over the ring)
# finished; the device node appears when the store made the device and the backend answered.
wait_tpm() {
    n=0
    while ! ls /dev/tpm[0-9]* >/dev/null 2>&1 && [ $n -lt 300 ]; do
        sleep 1
        n=$((n + 1))
    done
    tpm=$(ls /dev/tpm[0-9]* 2>/dev/null | head -n 1)
}
wait_tpm
if [ -n "$tpm" ]; then
    echo "WARD-TPMFRONT: $tpm present ($(cat /sys/class/tpm/${tpm#/dev/}/device/modalias 2>/dev/null))"
    ward-tpm-probe "$tpm" $bench
else
    echo "WARD-TPMFRONT: no /dev/tpm0 FAILED"
fi
# Close the device from the frontend (unbinding the driver switches it to Closed), then bind it
# again: the backend must close, go back to InitWait and serve the new ring.
drv=$(dirname "$(ls -d /sys/bus/xen/drivers/*/vtpm-0 2>/dev/null | head -n 1)")
if [ -d "$drv" ] && echo vtpm-0 >"$drv/unbind"; then
    echo "WARD-TPMFRONT: driver unbound"
    if echo vtpm-0 >"$drv/bind"; then
        wait_tpm
        echo "WARD-TPMFRONT: driver bound again ($tpm)"
        [ -n "$tpm" ] && ward-tpm-probe "$tpm"
    fi
else
    echo "WARD-TPMFRONT: unbind FAILED"
fi
if [ -n "$off" ]; then
    echo "WARD-TPMFRONT: poweroff"
    poweroff -f
fi
echo "WARD-TPMFRONT: idle"
while true; do sleep 3600; done
