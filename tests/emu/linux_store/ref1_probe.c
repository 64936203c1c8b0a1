/* SPDX-License-Identifier: MIT */
/* ref1_probe: a small non-store test guest (tests/emu/guests runtime) that tries to map grant
 * reference 1 (GNTTAB_RESERVED_XENSTORE) of domain `target=` and to bind that domain's store
 * port `port=`, prints the GNTST status / error and shuts down. Both must be refused: the
 * entry grants the page to the store domain only, and the port's remote is the store domain. */
#include "guest.h"

#define HC_GRANT_TABLE_OP 20
#define HC_EVENT_CHANNEL_OP 32
#define GNTTABOP_MAP_GRANT_REF 0
#define GNTMAP_HOST_MAP 2
#define EVTCHNOP_BIND_INTERDOMAIN 0

struct map_grant_ref
{
    uint64_t host_addr;
    uint32_t flags;
    uint32_t ref;
    uint16_t dom;
    int16_t status;
    uint32_t handle;
    uint64_t dev_bus_addr;
};

struct bind_interdomain
{
    uint16_t remote_dom;
    uint32_t remote_port;
    uint32_t local_port;
};

void guest_main(void)
{
    uint32_t const target = cmdline_number("target", 0);
    uint32_t const port = cmdline_number("port", 0);
    /* Above this guest's 4 MiB of RAM, in the foreign window. */
    struct map_grant_ref m = {0x10000000u, GNTMAP_HOST_MAP, 1, (uint16_t)target, 99, 0, 0};
    long const r = hypercall(HC_GRANT_TABLE_OP, GNTTABOP_MAP_GRANT_REF, (uintptr_t)&m, 1, 0, 0);
    print("ref1-probe: map of domain ");
    print_dec(target);
    print(" grant ref 1: hypercall ");
    print_dec((uint32_t)-r);
    print(", status ");
    print_dec((uint32_t)-m.status);
    println(m.status == 0 ? " ALLOWED" : " refused");
    struct bind_interdomain b = {(uint16_t)target, port, 0};
    long const e =
        hypercall(HC_EVENT_CHANNEL_OP, EVTCHNOP_BIND_INTERDOMAIN, (uintptr_t)&b, 0, 0, 0);
    print("ref1-probe: bind of domain ");
    print_dec(target);
    print(" store port: error ");
    print_dec((uint32_t)-e);
    println(e == 0 ? " ALLOWED" : " refused");
    shutdown(0);
}
