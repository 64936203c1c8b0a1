// SPDX-License-Identifier: MIT
// ward-poweroff [poweroff|reboot|crash]: ends this Linux domain through the hypervisor, the way
// a Xen guest's toolstack-less poweroff should: sync(), then SCHEDOP_shutdown with the reason,
// issued from userspace through /dev/xen/privcmd (IOCTL_PRIVCMD_HYPERCALL, module xen-privcmd).
// Built static with the host compiler into the initramfs (docs/console.md section 5). It only
// returns on failure, with a message; the caller may then fall back to `poweroff -f`.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

// Xen public ABI: __HYPERVISOR_sched_op, SCHEDOP_shutdown, SHUTDOWN_* (public/sched.h).
enum
{
    HYPERVISOR_SCHED_OP = 29,
    SCHEDOP_SHUTDOWN = 2,
};

// Linux uapi include/uapi/xen/privcmd.h (its header is not usable from userspace as installed:
// it includes the kernel-internal xen/interface/xen.h).
struct privcmd_hypercall
{
    uint64_t op;
    uint64_t arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))
_Static_assert(sizeof(struct privcmd_hypercall) == 48, "privcmd_hypercall layout");

struct sched_shutdown
{
    unsigned int reason;
};

static int reason_of(char const *name)
{
    if (strcmp(name, "poweroff") == 0)
        return 0;
    if (strcmp(name, "reboot") == 0)
        return 1;
    if (strcmp(name, "crash") == 0)
        return 3;
    return -1;
}

int main(int argc, char **argv)
{
    int const reason = argc > 1 ? reason_of(argv[1]) : 0;
    if (reason < 0 || argc > 2) {
        fprintf(stderr, "usage: ward-poweroff [poweroff|reboot|crash]\n");
        return 2;
    }
    sync();
    int const fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "ward-poweroff: /dev/xen/privcmd: %s (is xen-privcmd loaded?)\n",
                strerror(errno));
        return 1;
    }
    struct sched_shutdown arg = {(unsigned int)reason};
    struct privcmd_hypercall call = {
        .op = HYPERVISOR_SCHED_OP,
        .arg = {SCHEDOP_SHUTDOWN, (uint64_t)(uintptr_t)&arg, 0, 0, 0},
    };
    long const r = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call);
    // SCHEDOP_shutdown does not return to a domain that it ended.
    fprintf(stderr, "ward-poweroff: SCHEDOP_shutdown returned %ld (%s)\n", r,
            r < 0 ? strerror(errno) : "no error");
    close(fd);
    return 1;
}
