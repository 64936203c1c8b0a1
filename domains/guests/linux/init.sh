#!/bin/sh
# /init of Ward's test initramfs (busybox). Prints markers the boot tests read, then powers off.
# Kernel command-line flags it reads (docs/console.md):
#   ward.shell              an interactive shell on hvc0 instead of the test sequence
#   ward.poweroff=schedop   end the test sequence with SCHEDOP_shutdown(poweroff) (ward-poweroff)
#                           instead of `poweroff -f` (CLI;HLT)
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
echo "WARD-GUEST: userspace up $(cut -d' ' -f1 /proc/uptime)"
echo "WARD-GUEST: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
echo "WARD-GUEST: hypervisor $(cat /sys/hypervisor/type 2>/dev/null || echo none)"
cmdline=" $(cat /proc/cmdline) "

# SCHEDOP_shutdown from userspace needs /dev/xen/privcmd (module xen-privcmd of this kernel).
schedop_poweroff() {
    [ -x /bin/ward-poweroff ] || return 1
    [ -e /dev/xen/privcmd ] || insmod /lib/modules/xen-privcmd.ko unrestricted=1 2>/dev/null
    sync
    /bin/ward-poweroff poweroff
}

case "$cmdline" in
*" ward.shell "*)
    # `poweroff` / `reboot` in the shell end the domain through SCHEDOP_shutdown (CLI;HLT if
    # that fails). Shell functions, since busybox sh runs its own applets before any /bin file.
    mkdir -p /etc
    # ward-poweroff with ward.poweroff=schedop (xen-privcmd loaded unrestricted=1: restricted
    # privcmd waits for a xenstore target first); without it, poweroff -f (CLI;HLT, which Ward
    # takes as poweroff).
    case "$cmdline" in
    *" ward.poweroff=schedop "*) use_schedop=1 ;;
    *) use_schedop=0 ;;
    esac
    printf '#!/bin/sh\nsync\nif [ %s = 1 ]; then\n  [ -e /dev/xen/privcmd ] || insmod /lib/modules/xen-privcmd.ko unrestricted=1\n  /bin/ward-poweroff "${1:-poweroff}"\n  echo "ward-shutdown: falling back to poweroff -f"\nfi\nexec /bin/busybox poweroff -f\n' "$use_schedop" >/bin/ward-shutdown
    chmod 755 /bin/ward-shutdown
    printf 'poweroff() { /bin/ward-shutdown poweroff; }\nreboot() { /bin/ward-shutdown reboot; }\n' >/etc/ward-shell.rc
    export PS1='ward-shell$ ' HOME=/ TERM=vt100 ENV=/etc/ward-shell.rc
    echo "WARD-GUEST: shell on hvc0 ('poweroff' ends this domain)"
    exec setsid cttyhack sh
    ;;
esac
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 1
t1=$(cut -d' ' -f1 /proc/uptime)
echo "WARD-GUEST: slept 1s, uptime $t0 -> $t1"
echo "WARD-GUEST: poweroff"
case "$cmdline" in
*" ward.poweroff=schedop "*) schedop_poweroff ;;
esac
poweroff -f
