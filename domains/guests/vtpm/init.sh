#!/bin/sh
# /init of the vTPM domain (docs/vtpm.md §7). Test setup: Ward has no device assignment yet, so a
# swtpm inside this domain stands in for the platform TPM the manager seals its key to.
#   1. the platform stand-in: swtpm on 127.0.0.1:2321 (state in this domain's tmpfs)
#   2. ward-vtpm init (manager key sealed to the stand-in's PCRs), create the instance of the
#      domain named in /etc/ward/serve.conf (name, label, launch measurement: what the builder
#      hands this domain), start it with --reset
#   3. the builder's measured launch: extend the domain's event log into the fresh instance
#   4. ward-vtpm-backend serve: the tpmif v2 backend for that domain only
# Kernel command line: ward.verbose (every command served is logged); ward.bench=N (N
# TPM2_PCR_Read straight to the worker socket before serving, for comparison with the ring).
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
verbose='' bench=''
for a in $(cat /proc/cmdline); do
    case "$a" in
    ward.verbose) verbose=--verbose ;;
    ward.bench=*) bench=${a#*=} ;;
    esac
done
fail() {
    echo "WARD-VTPM: FAILED: $*"
    while true; do sleep 3600; done
}
echo "WARD-VTPM: userspace up"
insmod /lib/modules/xen/xen-evtchn.ko || fail "insmod xen-evtchn"
insmod /lib/modules/xen/xen-gntdev.ko || fail "insmod xen-gntdev"
name='' label='' measurement=''
while IFS='=' read -r k v; do
    case "$k" in
    name) name=$v ;;
    label) label=$v ;;
    measurement) measurement=$v ;;
    esac
done </etc/ward/serve.conf
[ -n "$name" ] && [ -n "$label" ] && [ -n "$measurement" ] || fail "/etc/ward/serve.conf incomplete"

# The workers and the platform stand-in listen on loopback only.
ifconfig lo 127.0.0.1 up || fail "loopback"
mkdir -p /run/platform /run/ward/vtpm
swtpm socket --tpm2 --daemon --server type=tcp,bindaddr=127.0.0.1,port=2321 \
    --ctrl type=tcp,bindaddr=127.0.0.1,port=2322 --tpmstate dir=/run/platform \
    --flags not-need-init,startup-clear --pid file=/run/platform/pid \
    --log file=/run/platform/log,level=1 || fail "platform swtpm did not start"
echo "WARD-VTPM: platform TPM stand-in (swtpm) up"
export WARD_VTPM_ROOT=/run/ward/vtpm WARD_PLATFORM_TCTI=swtpm:host=127.0.0.1,port=2321
ward-vtpm init || fail "ward-vtpm init"
uuid=$(ward-vtpm create --domain "$name" --label "$label" --measurement "$measurement" | cut -d' ' -f1)
[ -n "$uuid" ] || fail "ward-vtpm create"
started=$(ward-vtpm start "$uuid" --domain "$name" --label "$label" --measurement "$measurement" --reset) ||
    fail "ward-vtpm start"
port=''
for w in $started; do
    case "$w" in port=*) port=${w#port=} ;; esac
done
echo "WARD-VTPM: instance $uuid for '$name' ($label) started on port $port"
ward-vtpm-backend extend-log --port "$port" /etc/ward/serve.eventlog >/run/launch.pcrs ||
    fail "measured launch: $(cat /run/launch.pcrs)"
while read -r line; do echo "WARD-VTPM: launch of '$name' measured: $line"; done </run/launch.pcrs
if [ -n "$bench" ]; then
    echo "WARD-VTPM: $(ward-vtpm-backend bench --port "$port" "$bench")"
fi
ward-vtpm-backend serve --frontend "$name" --uuid "$uuid" --port "$port" $verbose
fail "ward-vtpm-backend exited with status $?"
