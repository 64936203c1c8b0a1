/* SPDX-License-Identifier: MIT */
/* channel: Ward's inter-domain channel test guest (docs/channels.md). One program, three roles
 * from the command line:
 *   role=server peer=ID intruder=ID rounds=N  grants a page to `peer`, streams N pages of a
 *       known pattern to it over an event channel, checks that its grant stays busy while
 *       mapped, then waits for the peer to die and checks the disconnect and the revocation.
 *   role=client peer=ID  binds to the server's port 1, maps grant 1, checks every byte of every
 *       round, tries bad input, then crashes while still holding the mapping.
 *   role=intruder peer=ID  (another coalition) is refused the bind (-EACCES) and the map
 *       (GNTST_permission_denied).
 * Every result is a "check NAME ok|FAILED" line on the console. */
#include "guest.h"

#define HC_GRANT_TABLE_OP 20
#define HC_EVENT_CHANNEL_OP 32
#define EVTCHNOP_BIND_INTERDOMAIN 0
#define EVTCHNOP_CLOSE 3
#define EVTCHNOP_SEND 4
#define EVTCHNOP_STATUS 5
#define EVTCHNOP_ALLOC_UNBOUND 6
#define GNTTABOP_MAP_GRANT_REF 0
#define GNTTABOP_UNMAP_GRANT_REF 1
#define GNTMAP_HOST_MAP 2
#define GTF_PERMIT_ACCESS 1
#define GTF_READING 8
#define GTF_WRITING 16
#define XENMEM_ADD_TO_PHYSMAP 7
#define DOMID_SELF 0x7ff0

#define GNTTAB_GPA 0xe0000000u /* the grant table, in the foreign window */
#define MAPPED_GPA 0xe0100000u /* where the client maps the server's page */

struct grant_entry
{
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};
struct add_to_physmap
{
    uint16_t domid;
    uint16_t size;
    uint32_t space;
    uint32_t idx;
    uint32_t gpfn;
};
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
struct alloc_unbound
{
    uint16_t dom;
    uint16_t remote_dom;
    uint32_t port;
};
struct unmap_grant_ref
{
    uint64_t host_addr;
    uint64_t dev_bus_addr;
    uint32_t handle;
    int16_t status;
};

static uint8_t shared_info[4096] __attribute__((aligned(4096)));
static uint8_t ring[4096] __attribute__((aligned(4096)));

static volatile uint32_t *pending_words(void)
{
    return (volatile uint32_t *)(shared_info + 2048);
}

static void yield(void)
{
    hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
}

static long evtchn(uint32_t cmd, void *arg)
{
    return hypercall(HC_EVENT_CHANNEL_OP, cmd, (uintptr_t)arg, 0, 0, 0);
}

static long send(uint32_t port)
{
    uint32_t p = port;
    return evtchn(EVTCHNOP_SEND, &p);
}

static long status(uint32_t port)
{
    uint32_t s[6] = {DOMID_SELF, port, 0, 0, 0, 0};
    long const r = evtchn(EVTCHNOP_STATUS, s);
    return r < 0 ? r : (long)s[2];
}

/* Waits for the pending bit of `port` and clears it; false after `tries` yields. */
static int wait_event(uint32_t port, uint32_t tries)
{
    volatile uint32_t *w = pending_words() + port / 32;
    uint32_t const bit = 1u << (port % 32);
    for (uint32_t i = 0; i < tries; ++i) {
        if (*w & bit) {
            __atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST);
            return 1;
        }
        yield();
    }
    return 0;
}

static void setup_shared_info(void)
{
    struct add_to_physmap a = {DOMID_SELF, 0, 0, 0, (uint32_t)(uintptr_t)shared_info >> 12};
    check("shared_info_placed",
          hypercall(WARD_HC_MEMORY_OP, XENMEM_ADD_TO_PHYSMAP, (uintptr_t)&a, 0, 0, 0), 0);
}

static long map(uint16_t dom, uint32_t ref, uint32_t gpa, uint32_t *handle)
{
    struct map_grant_ref m = {gpa, GNTMAP_HOST_MAP, ref, dom, 99, 0, 0};
    long const r = hypercall(HC_GRANT_TABLE_OP, GNTTABOP_MAP_GRANT_REF, (uintptr_t)&m, 1, 0, 0);
    if (r < 0)
        return r;
    *handle = m.handle;
    return m.status;
}

static long unmap(uint32_t gpa, uint32_t handle)
{
    struct unmap_grant_ref u = {gpa, 0, handle, 99};
    long const r = hypercall(HC_GRANT_TABLE_OP, GNTTABOP_UNMAP_GRANT_REF, (uintptr_t)&u, 1, 0, 0);
    return r < 0 ? r : u.status;
}

static uint8_t pattern(uint32_t round, uint32_t i)
{
    return (uint8_t)(i * 7u + round * 13u + (i >> 8));
}

/* What a granter's gnttab_end_foreign_access_ref does: clear the entry unless Ward marks it
 * GTF_reading/GTF_writing (mapped). */
static int try_end_access(volatile struct grant_entry *e)
{
    uint32_t *word = (uint32_t *)(uintptr_t)e;
    uint32_t old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    if (old & (GTF_READING | GTF_WRITING))
        return 0;
    return __atomic_compare_exchange_n(word, &old, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void server(void)
{
    uint32_t const peer = cmdline_number("peer", 2), intruder = cmdline_number("intruder", 3);
    uint32_t const rounds = cmdline_number("rounds", 16);
    setup_shared_info();
    struct add_to_physmap g = {DOMID_SELF, 0, 1, 0, GNTTAB_GPA >> 12};
    check("grant_table_placed",
          hypercall(WARD_HC_MEMORY_OP, XENMEM_ADD_TO_PHYSMAP, (uintptr_t)&g, 0, 0, 0), 0);
    volatile struct grant_entry *gt = (volatile struct grant_entry *)(uintptr_t)GNTTAB_GPA;
    gt[1].frame = (uint32_t)(uintptr_t)ring >> 12;
    gt[1].domid = (uint16_t)peer;
    __atomic_store_n(&gt[1].flags, GTF_PERMIT_ACCESS, __ATOMIC_SEQ_CST);
    struct alloc_unbound ab = {DOMID_SELF, (uint16_t)peer, 0};
    check("alloc_unbound_peer", evtchn(EVTCHNOP_ALLOC_UNBOUND, &ab), 0);
    uint32_t const port = ab.port;
    check("peer_port", port, 1);
    struct alloc_unbound ai = {DOMID_SELF, (uint16_t)intruder, 0};
    check("alloc_unbound_intruder", evtchn(EVTCHNOP_ALLOC_UNBOUND, &ai), 0);
    check("intruder_port", ai.port, 2);
    println("server ready");

    check("client_connected", wait_event(port, 200000), 1);
    volatile uint32_t *words = (volatile uint32_t *)ring; /* [0] round sent, [1] round acked */
    for (uint32_t r = 0; r < rounds; ++r) {
        for (uint32_t i = 8; i < sizeof ring; ++i)
            ring[i] = pattern(r, i);
        __atomic_store_n(&words[0], r + 1, __ATOMIC_SEQ_CST);
        send(port);
        uint32_t t = 0;
        while (__atomic_load_n(&words[1], __ATOMIC_SEQ_CST) != r + 1 && t++ < 200000)
            wait_event(port, 1);
    }
    check("acks", words[1], rounds);
    /* The client holds its mapping until it reads the end mark below: end access now. */
    check("grant_busy_while_mapped", try_end_access(&gt[1]), 0);
    __atomic_store_n(&words[0], 0xffffffffu, __ATOMIC_SEQ_CST);
    send(port);
    /* The client now crashes holding its mapping: its port turns unbound, Ward sends a last
     * event, and the grant is no longer in use. */
    uint32_t i = 0;
    while (status(port) != 1 && i++ < 200000)
        yield();
    check("peer_disconnect_seen", status(port), 1 /* EVTCHNSTAT_unbound */);
    check("grant_free_after_peer_died", gt[1].flags & (GTF_READING | GTF_WRITING), 0);
    check("grant_revoked", try_end_access(&gt[1]), 1);
    println("server done");
}

static void client(void)
{
    uint32_t const peer = cmdline_number("peer", 1);
    setup_shared_info();
    uint32_t bind[3] = {peer, 1, 0};
    long r = -1;
    for (uint32_t i = 0; i < 100000 && r != 0; ++i) {
        r = evtchn(EVTCHNOP_BIND_INTERDOMAIN, bind);
        if (r != 0)
            yield();
    }
    check("bind_interdomain", r, 0);
    uint32_t const port = bind[2];
    uint32_t handle = 0;
    long st = 1;
    for (uint32_t i = 0; i < 100000 && st != 0; ++i) {
        st = map((uint16_t)peer, 1, MAPPED_GPA, &handle);
        if (st != 0)
            yield();
    }
    check("map_grant", st, 0);
    /* Bad input: each gets Xen's error, nothing else happens. */
    uint32_t h2 = 0;
    check("map_own_grant", map(DOMID_SELF, 1, MAPPED_GPA + 0x1000, &h2), -8);
    check("map_bad_ref", map((uint16_t)peer, 100000, MAPPED_GPA + 0x1000, &h2), -3);
    check("map_over_ram", map((uint16_t)peer, 1, 0x1000, &h2), -5);
    check("map_no_such_domain", map(999, 1, MAPPED_GPA + 0x1000, &h2), -2);
    check("unmap_bad_handle", unmap(MAPPED_GPA, 200), -4);
    check("send_bad_port", send(5000), -22);
    check("send_port_0", send(0), -22);
    uint32_t c0 = 0;
    check("close_port_0", evtchn(EVTCHNOP_CLOSE, &c0), -22);
    for (uint32_t i = 0; i < 5000; ++i) /* a flood of notifications: one pending bit */
        send(port);
    volatile uint8_t const *page = (volatile uint8_t const *)(uintptr_t)MAPPED_GPA;
    volatile uint32_t *words = (volatile uint32_t *)(uintptr_t)MAPPED_GPA;
    uint32_t bad = 0, rounds = 0;
    for (uint32_t t = 0; t < 400000; ++t) {
        uint32_t const s = __atomic_load_n(&words[0], __ATOMIC_SEQ_CST);
        if (s == 0xffffffffu)
            break;
        if (s == rounds) {
            wait_event(port, 1);
            continue;
        }
        for (uint32_t i = 8; i < 4096; ++i)
            bad += page[i] != pattern(s - 1, i);
        rounds = s;
        __atomic_store_n(&words[1], rounds, __ATOMIC_SEQ_CST);
        send(port);
    }
    check("bytes_mismatched", bad, 0);
    print("client rounds ");
    print_dec(rounds);
    println("");
    /* Unmap and map again (double unmap is an error), then die holding the mapping. */
    check("unmap", unmap(MAPPED_GPA, handle), 0);
    check("double_unmap", unmap(MAPPED_GPA, handle), -4);
    check("map_again", map((uint16_t)peer, 1, MAPPED_GPA, &handle), 0);
    println("client crashing while mapped");
    *(volatile uint32_t *)(uintptr_t)0xd0000000u = 1; /* outside its memory: Ward kills it */
    println("client SURVIVED");
}

static void intruder(void)
{
    uint32_t const peer = cmdline_number("peer", 1);
    uint32_t bind[3] = {peer, 2, 0};
    long r = -1;
    for (uint32_t i = 0; i < 2000; ++i) {
        r = evtchn(EVTCHNOP_BIND_INTERDOMAIN, bind);
        if (r == -13)
            break;
        yield();
    }
    check("intruder_bind_refused", r, -13 /* EACCES */);
    uint32_t bind1[3] = {peer, 1, 0};
    check("intruder_bind_peer_port_refused", evtchn(EVTCHNOP_BIND_INTERDOMAIN, bind1), -13);
    uint32_t h = 0;
    check("intruder_map_refused", map((uint16_t)peer, 1, MAPPED_GPA, &h),
          -8 /* permission_denied */);
    println("intruder done");
}

void guest_main(void)
{
    char role[16];
    if (!cmdline_value("role", role, sizeof role))
        role[0] = '\0';
    if (role[0] == 's')
        server();
    else if (role[0] == 'c')
        client();
    else
        intruder();
    shutdown(0);
}
