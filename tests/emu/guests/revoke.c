/* SPDX-License-Identifier: MIT */
/* revoke: Ward's run-time policy reload test guest (docs/policy.md "Reloading the policy",
 * docs/channels.md "Policy reload"). One program, four roles from the command line:
 *   role=server peer=ID admin=ID  grants a page to `peer` and shares an event channel with it;
 *       once the peer has mapped the page, offers a port to `admin` (the bind is the admin's
 *       signal); then waits until the reload revokes both, checks what it sees, and stays
 *       until the peer and the admin have ended (the `info` capability).
 *   role=client peer=ID  binds, maps the server's page, writes a mark through the mapping, then
 *       waits for the revocation: its port unbound, a zero page where the grant was (a write
 *       there lands on a private page), a new bind and map refused, the revoked handle unmapped
 *       once.
 *   role=admin peer=ID  (the `policy` capability) is refused bad requests and a corrupted
 *       policy, then, once bound to the server, loads the policy it carries (revoke_policy.S).
 *   role=nocap  (no `policy` capability) is refused the same reload with -EPERM.
 * Every result is a "check NAME ok|FAILED" line on the console. */
#include "guest.h"
#include "vchan_guest.h"
#include "ward/abi/acm.h"

#define HC_GRANT_TABLE_OP 20
#define HC_EVENT_CHANNEL_OP 32
#define EVTCHNOP_STATUS 5
#define EVTCHNSTAT_UNBOUND 1
#define EVTCHNSTAT_INTERDOMAIN 2
#define GTF_PERMIT_ACCESS 1
#define GTF_BUSY (8 | 16) /* GTF_reading | GTF_writing */
#define DOMID_SELF 0x7ff0
#define GNTTAB_GPA 0xe0000000u
#define MAPPED_GPA 0xe0100000u
#define MARK 0x5eed1e55u
#define PATIENCE 4000000u /* yields before a wait counts as failed (never the success path) */

extern char const policy_image[], policy_image_end[];

struct grant_entry
{
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};
struct map_grant_ref
{
    uint64_t host_addr;
    uint32_t flags, ref;
    uint16_t dom;
    int16_t status;
    uint32_t handle;
    uint64_t dev_bus_addr;
};
struct unmap_grant_ref
{
    uint64_t host_addr, dev_bus_addr;
    uint32_t handle;
    int16_t status;
};

static uint8_t shared_info[4096] __attribute__((aligned(4096)));
static uint8_t page[4096] __attribute__((aligned(4096)));
static uint8_t copy[WARD_ACM_POLICY_MAX + 16] __attribute__((aligned(8)));
static struct ward_acm_op op;

static void yield(void)
{
    hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
}

/* EVTCHNSTAT_* of a port. */
static long status(uint32_t port)
{
    uint32_t s[6] = {DOMID_SELF, port, 0, 0, 0, 0};
    long const r = hypercall(HC_EVENT_CHANNEL_OP, EVTCHNOP_STATUS, (uintptr_t)s, 0, 0, 0);
    return r < 0 ? r : (long)s[2];
}

static long map(uint16_t dom, uint32_t ref, uint32_t gpa, uint32_t *handle)
{
    struct map_grant_ref m = {gpa, 2 /* GNTMAP_host_map */, ref, dom, 99, 0, 0};
    long const r = hypercall(HC_GRANT_TABLE_OP, 0, (uintptr_t)&m, 1, 0, 0);
    if (r < 0)
        return r;
    *handle = m.handle;
    return m.status;
}

static long unmap(uint32_t gpa, uint32_t handle)
{
    struct unmap_grant_ref u = {gpa, 0, handle, 99};
    long const r = hypercall(HC_GRANT_TABLE_OP, 1, (uintptr_t)&u, 1, 0, 0);
    return r < 0 ? r : u.status;
}

static long set_policy(void const *blob, uint32_t size, uint32_t version)
{
    op.cmd = WARD_ACMOP_SET_POLICY;
    op.interface_version = version;
    op.policy = (uint32_t)(uintptr_t)blob;
    op.size = size;
    op.revoked = 0xffffffffu;
    return hypercall(WARD_HC_ACM_OP, (uintptr_t)&op, 0, 0, 0, 0);
}

/* Waits until domain `id` has shut down; 0 if it has not after PATIENCE yields. */
static int wait_ended(uint16_t id)
{
    static struct ward_domctl dc;
    for (uint32_t i = 0; i < PATIENCE; ++i) {
        if (domctl(WARD_DOMCTL_INFO, id, &dc) != 0 || dc.u.info.state == WARD_DOMSTATE_SHUTDOWN)
            return dc.u.info.state == WARD_DOMSTATE_SHUTDOWN;
        yield();
    }
    return 0;
}

static uint32_t policy_size(void)
{
    return (uint32_t)(policy_image_end - policy_image);
}

static void server(void)
{
    uint16_t const peer = (uint16_t)cmdline_number("peer", 2);
    uint16_t const admin = (uint16_t)cmdline_number("admin", 3);
    check("shared_info_placed", vchan_place_shared_info(shared_info), 0);
    check("grant_table_placed", vchan_place_grant_table(GNTTAB_GPA), 0);
    volatile struct grant_entry *gt = (volatile struct grant_entry *)(uintptr_t)GNTTAB_GPA;
    gt[1].frame = (uint32_t)(uintptr_t)page >> 12;
    gt[1].domid = peer;
    __atomic_store_n(&gt[1].flags, GTF_PERMIT_ACCESS, __ATOMIC_SEQ_CST);
    long const port = vchan_evtchn_alloc_unbound(peer);
    check("alloc_unbound_peer", port, 1);
    volatile uint32_t *mark = (volatile uint32_t *)page;
    for (uint32_t i = 0; i < PATIENCE && *mark != MARK; ++i)
        yield();
    check("client_mapped_and_wrote", *mark, MARK);
    (void)vchan_event_pending(1); /* the client's send came before its mark: consumed here */
    check("channel_connected", status(1), EVTCHNSTAT_INTERDOMAIN);
    check("grant_busy_while_mapped", (gt[1].flags & GTF_BUSY) != 0, 1);
    /* The admin's bind to this port tells it that the channel and the mapping are up. */
    check("alloc_unbound_admin", vchan_evtchn_alloc_unbound(admin), 2);
    println("server ready");
    for (uint32_t i = 0; i < PATIENCE && status(1) == EVTCHNSTAT_INTERDOMAIN; ++i)
        yield();
    check("channel_revoked_unbound", status(1), EVTCHNSTAT_UNBOUND);
    check("revocation_raised_port", vchan_event_pending(1), 1);
    check("grant_not_busy_after_revocation", gt[1].flags & GTF_BUSY, 0);
    /* What a granter's gnttab_end_foreign_access does: it succeeds now. */
    uint32_t *word = (uint32_t *)(uintptr_t)&gt[1];
    uint32_t old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    check("grant_end_access",
          __atomic_compare_exchange_n(word, &old, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST), 1);
    /* The client tries to bind and map again and the admin checks its channel to this domain:
     * stay alive until both have ended (the `info` capability). */
    check("client_ended", wait_ended(peer), 1);
    check("admin_ended", wait_ended(admin), 1);
    /* The client wrote again after the revocation: onto a page of its own, not this one. */
    check("page_untouched_after_revocation", *mark, MARK);
    println("server done");
}

static void client(void)
{
    uint16_t const peer = (uint16_t)cmdline_number("peer", 1);
    check("shared_info_placed", vchan_place_shared_info(shared_info), 0);
    long port = -1;
    for (uint32_t i = 0; i < PATIENCE && port < 0; ++i)
        if ((port = vchan_evtchn_bind(peer, 1)) < 0)
            yield();
    check("bind_interdomain", port > 0, 1);
    uint32_t handle = 0;
    long st = 1;
    for (uint32_t i = 0; i < PATIENCE && st != 0; ++i)
        if ((st = map(peer, 1, MAPPED_GPA, &handle)) != 0)
            yield();
    check("map_grant", st, 0);
    volatile uint32_t *mapped = (volatile uint32_t *)(uintptr_t)MAPPED_GPA;
    check("send", vchan_evtchn_send((uint32_t)port), 0); /* before the mark: see the server */
    *mapped = MARK;
    for (uint32_t i = 0; i < PATIENCE && status((uint32_t)port) == EVTCHNSTAT_INTERDOMAIN; ++i)
        yield();
    check("channel_revoked_unbound", status((uint32_t)port), EVTCHNSTAT_UNBOUND);
    check("mapping_reads_zero_page", *mapped, 0);
    /* A write there is not the end of this domain: Ward puts a private page of its own in place
     * of the zero page, and the write goes to it (never to the server's page). */
    *mapped = MARK + 1;
    check("write_after_revocation_private", *mapped, MARK + 1);
    check("send_dropped", vchan_evtchn_send((uint32_t)port), 0);
    check("rebind_refused", vchan_evtchn_bind(peer, 1), -WARD_EACCES);
    uint32_t h2 = 0;
    check("map_refused", map(peer, 1, MAPPED_GPA + 0x1000, &h2), -8 /* permission_denied */);
    check("unmap_revoked", unmap(MAPPED_GPA, handle), 0);
    check("double_unmap", unmap(MAPPED_GPA, handle), -4 /* bad_handle */);
    println("client done");
}

static void admin(void)
{
    uint16_t const peer = (uint16_t)cmdline_number("peer", 1);
    uint32_t const size = policy_size();
    check("policy_carried", size > 128 && size <= WARD_ACM_POLICY_MAX, 1);
    check("bad_interface_version", set_policy(policy_image, size, 99), -WARD_EACCES);
    check("empty_policy", set_policy(policy_image, 0, WARD_ACM_INTERFACE_VERSION), -WARD_EINVAL);
    check("oversized_policy",
          set_policy(policy_image, WARD_ACM_POLICY_MAX + 1, WARD_ACM_INTERFACE_VERSION),
          -WARD_E2BIG);
    check("bad_buffer", set_policy((void const *)0xfff00000u, size, WARD_ACM_INTERFACE_VERSION),
          -WARD_EFAULT);
    long port = -1;
    for (uint32_t i = 0; i < PATIENCE && port < 0; ++i)
        if ((port = vchan_evtchn_bind(peer, 2)) < 0)
            yield();
    check("bound_to_server", port > 0, 1);
    /* A corrupted blob (digest mismatch) and a truncated one: refused, nothing changes. */
    for (uint32_t i = 0; i < size; ++i)
        copy[i] = (uint8_t)policy_image[i];
    copy[size / 2] ^= 0x40;
    check("corrupted_policy_refused", set_policy(copy, size, WARD_ACM_INTERFACE_VERSION),
          -WARD_EINVAL);
    copy[size / 2] ^= 0x40;
    check("truncated_policy_refused", set_policy(copy, size - 1, WARD_ACM_INTERFACE_VERSION),
          -WARD_EINVAL);
    /* Cost figures (cycles): a null hypercall, then the reload that revokes two channels. */
    uint64_t const n0 = rdtsc();
    hypercall(WARD_HC_XEN_VERSION, WARD_XENVER_VERSION, 0, 0, 0, 0);
    uint64_t const n1 = rdtsc();
    long const reloaded = set_policy(copy, size, WARD_ACM_INTERFACE_VERSION);
    uint64_t const n2 = rdtsc();
    check("reload", reloaded, 0);
    print("bench null hypercall cycles ");
    print_dec((uint32_t)(n1 - n0));
    print(" reload cycles ");
    print_dec((uint32_t)(n2 - n1));
    print(" policy bytes ");
    print_dec(size);
    println("");
    check("revoked_count", op.revoked, 2); /* the event channel and the grant mapping */
    check("own_channel_kept", status((uint32_t)port), EVTCHNSTAT_INTERDOMAIN);
    println("admin done");
}

static void nocap(void)
{
    check("reload_without_capability",
          set_policy(policy_image, policy_size(), WARD_ACM_INTERFACE_VERSION), -WARD_EPERM);
    println("nocap done");
}

/* The role named by `role=` on the command line, by its first letter; nocap otherwise. */
static struct
{
    char initial;
    void (*run)(void);
} const roles[] = {{'s', server}, {'c', client}, {'a', admin}};

void guest_main(void)
{
    char role[16] = "";
    void (*run)(void) = nocap;
    if (cmdline_value("role", role, sizeof role))
        for (unsigned i = 0; i < sizeof roles / sizeof roles[0]; ++i)
            if (roles[i].initial == role[0])
                run = roles[i].run;
    run();
    shutdown(0);
}
