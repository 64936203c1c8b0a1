/* SPDX-License-Identifier: MIT */
/* creator: a domain with the create, control and info capabilities that builds domains at run
 * time (WARD_DOMCTL_CREATE) from the counter image it carries (creator_image.S): a capability
 * escalation and a truncated image are refused, a counter domain is created and runs, and a
 * few domains are created and destroyed in turn (the QEMU test compares the hypervisor's free
 * frame count logged before each creation). */
#include "guest.h"

extern char const counter_image[], counter_image_end[];

static struct ward_domctl dc;

static long create_from(char const *image, char const *cmdline, uint32_t image_size)
{
    uint32_t n = 0;
    while (cmdline[n] != '\0')
        ++n;
    for (unsigned i = 0; i < sizeof dc.u.raw; ++i)
        dc.u.raw[i] = 0;
    dc.u.create.image = (uint32_t)(uintptr_t)image;
    dc.u.create.image_size = image_size;
    dc.u.create.cmdline = (uint32_t)(uintptr_t)cmdline;
    dc.u.create.cmdline_size = n;
    return domctl(WARD_DOMCTL_CREATE, 0, &dc);
}

static long create(char const *cmdline, uint32_t image_size)
{
    return create_from(counter_image, cmdline, image_size);
}

void guest_main(void)
{
    uint32_t const size = (uint32_t)(counter_image_end - counter_image);
    println("creator started");
    check("create_escalation", create("name=evil mem=2M caps=create,policy", size), -WARD_EPERM);
    check("create_truncated", create("name=cut mem=2M", 120), -WARD_ENOEXEC);
    check("create_bad_cmdline", create("name=bad mem=lots", size), -WARD_EINVAL);
    check("create_too_big", create("name=big mem=2048M", size), -WARD_E2BIG);
    check("create_bad_buffer", create_from((char const *)0xfff00000u, "name=x mem=2M", size),
          -WARD_EFAULT);
    for (int round = 0; round < 4; ++round) {
        /* A temp that cannot end on its own before it is destroyed (it spins for seconds): with
         * one-shot scheduling it may run a slice before the destroy, and must still be there. */
        check("create_temp", create("name=temp mem=4M -- lines=1 work=3000000000", size), 0);
        uint16_t const temp = dc.u.create.domid;
        check("destroy_temp", domctl(WARD_DOMCTL_DESTROY, temp, &dc), 0);
    }
    check("create_child",
          create("name=child label=child mem=2M caps=info -- lines=4 work=200000", size), 0);
    uint16_t const child = dc.u.create.domid;
    check("child_domid", child > 0, 1);
    check("child_info", domctl(WARD_DOMCTL_INFO, child, &dc), 0);
    check("child_name", dc.u.info.name[0] == 'c' && dc.u.info.name[4] == 'd', 1);
    check("child_caps", dc.u.info.caps, 1u << 3);
    println("creator done");
}
