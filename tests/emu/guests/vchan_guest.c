/* SPDX-License-Identifier: MIT */
/* Freestanding vchan over grants and event channels; see vchan_guest.h and docs/vchan.md. */
#include "vchan_guest.h"

#include "guest.h"

#define HC_GRANT_TABLE_OP 20
#define HC_EVENT_CHANNEL_OP 32
#define DOMID_SELF 0x7ff0

struct gnt_entry
{
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};

static uint8_t *shared_info_page;
static volatile struct gnt_entry *gnttab;

static long hc_evtchn(uint32_t cmd, void *arg)
{
    return hypercall(HC_EVENT_CHANNEL_OP, cmd, (uintptr_t)arg, 0, 0, 0);
}

long vchan_evtchn_send(uint32_t port)
{
    uint32_t p = port;
    return hc_evtchn(4, &p);
}

long vchan_evtchn_alloc_unbound(uint16_t peer)
{
    struct
    {
        uint16_t dom, remote;
        uint32_t port;
    } a = {DOMID_SELF, peer, 0};
    long const r = hc_evtchn(6, &a);
    return r < 0 ? r : (long)a.port;
}

long vchan_evtchn_bind(uint16_t peer, uint32_t remote_port)
{
    uint32_t b[3] = {peer, remote_port, 0};
    long const r = hc_evtchn(0, b);
    return r < 0 ? r : (long)b[2];
}

int vchan_place_shared_info(void *page)
{
    struct
    {
        uint16_t domid, size;
        uint32_t space, idx, gpfn;
    } a = {DOMID_SELF, 0, 0, 0, (uint32_t)(uintptr_t)page >> 12};
    shared_info_page = page;
    return (int)hypercall(WARD_HC_MEMORY_OP, 7, (uintptr_t)&a, 0, 0, 0);
}

int vchan_place_grant_table(uint32_t gpa)
{
    struct
    {
        uint16_t domid, size;
        uint32_t space, idx, gpfn;
    } a = {DOMID_SELF, 0, 1, 0, gpa >> 12};
    gnttab = (volatile struct gnt_entry *)(uintptr_t)gpa;
    return (int)hypercall(WARD_HC_MEMORY_OP, 7, (uintptr_t)&a, 0, 0, 0);
}

int vchan_event_pending(uint32_t port)
{
    volatile uint32_t *w = (volatile uint32_t *)(shared_info_page + 2048) + port / 32;
    uint32_t const bit = 1u << (port % 32);
    if ((*w & bit) == 0)
        return 0;
    __atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST);
    return 1;
}

static void grant(uint32_t ref, uint16_t peer, void const *page)
{
    gnttab[ref].frame = (uint32_t)(uintptr_t)page >> 12;
    gnttab[ref].domid = peer;
    __atomic_store_n(&gnttab[ref].flags, 1 /* GTF_permit_access */, __ATOMIC_SEQ_CST);
}

static uint32_t ring_pages(uint16_t order)
{
    return order >= 12 ? 1u << (order - 12) : 0;
}

/* Ring placement (docs/vchan.md §2): order 10 at 1024, 11 at 2048, else separate pages. */
static uint8_t *place(uint8_t *ctrl, uint8_t *next_page, uint16_t order)
{
    if (order == 10)
        return ctrl + 1024;
    if (order == 11)
        return ctrl + 2048;
    return next_page;
}

static void wire(struct vchan *v, uint8_t *left, uint8_t *right)
{
    volatile struct vchan_interface *c = v->ctrl;
    uint32_t const ls = 1u << c->left_order, rs = 1u << c->right_order;
    if (v->server) {
        v->rd = &c->left, v->rd_buf = left, v->rd_size = ls;
        v->wr = &c->right, v->wr_buf = right, v->wr_size = rs;
        v->my_notify = &c->srv_notify, v->peer_notify = &c->cli_notify;
    } else {
        v->rd = &c->right, v->rd_buf = right, v->rd_size = rs;
        v->wr = &c->left, v->wr_buf = left, v->wr_size = ls;
        v->my_notify = &c->cli_notify, v->peer_notify = &c->srv_notify;
    }
}

long vchan_server_init(struct vchan *v, uint16_t peer, uint32_t gref, uint8_t *pages,
                       uint16_t left_order, uint16_t right_order)
{
    if (left_order < 10 || left_order > 20 || right_order < 10 || right_order > 20 ||
        (left_order < 12 && left_order == right_order))
        return -WARD_EINVAL;
    v->server = 1;
    v->ctrl = (volatile struct vchan_interface *)pages;
    volatile struct vchan_interface *c = v->ctrl;
    c->left.cons = c->left.prod = c->right.cons = c->right.prod = 0;
    c->left_order = left_order;
    c->right_order = right_order;
    c->cli_live = 2;
    c->srv_live = 1;
    c->cli_notify = VCHAN_NOTIFY_WRITE;
    c->srv_notify = VCHAN_NOTIFY_WRITE;
    uint8_t *next = pages + 4096;
    uint8_t *left = place(pages, next, left_order);
    next += ring_pages(left_order) * 4096;
    uint8_t *right = place(pages, next, right_order);
    uint32_t g = 0, ref = gref + 1;
    for (uint32_t i = 0; i < ring_pages(left_order); ++i, ++ref) {
        grant(ref, peer, left + i * 4096);
        c->grants[g++] = ref;
    }
    for (uint32_t i = 0; i < ring_pages(right_order); ++i, ++ref) {
        grant(ref, peer, right + i * 4096);
        c->grants[g++] = ref;
    }
    grant(gref, peer, pages);
    long const r = vchan_evtchn_alloc_unbound(peer);
    if (r < 0)
        return r;
    v->port = (uint32_t)r;
    wire(v, left, right);
    return 0;
}

static long map_page(uint16_t dom, uint32_t ref, uint32_t gpa, uint32_t *handle)
{
    struct
    {
        uint64_t host_addr;
        uint32_t flags, ref;
        uint16_t dom;
        int16_t status;
        uint32_t handle;
        uint64_t dev;
    } m = {gpa, 2 /* GNTMAP_host_map */, ref, dom, 0, 0, 0};
    long const r = hypercall(HC_GRANT_TABLE_OP, 0, (uintptr_t)&m, 1, 0, 0);
    if (r < 0)
        return r;
    *handle = m.handle;
    return m.status;
}

long vchan_client_init(struct vchan *v, uint16_t peer, uint32_t gref, uint32_t port,
                       uint32_t window)
{
    v->server = 0;
    v->nr_handles = 0;
    v->window = window;
    long const r = vchan_evtchn_bind(peer, port);
    if (r < 0)
        return r;
    v->port = (uint32_t)r;
    long st = map_page(peer, gref, window, &v->handles[v->nr_handles]);
    if (st != 0)
        return -100 + st;
    ++v->nr_handles;
    v->ctrl = (volatile struct vchan_interface *)(uintptr_t)window;
    volatile struct vchan_interface *c = v->ctrl;
    uint16_t const lo = c->left_order, ro = c->right_order;
    uint32_t const n = ring_pages(lo) + ring_pages(ro);
    if (lo < 10 || lo > 16 || ro < 10 || ro > 16 || (lo < 12 && lo == ro) ||
        n + 1 > sizeof v->handles / sizeof v->handles[0] || 24 + 4 * n > 1024)
        return -200;
    uint8_t *const ctrl = (uint8_t *)(uintptr_t)window;
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t const ref = c->grants[i];
        st = map_page(peer, ref, window + 4096 * (1 + i), &v->handles[v->nr_handles]);
        if (st != 0)
            return -100 + st;
        ++v->nr_handles;
    }
    uint8_t *next = ctrl + 4096;
    uint8_t *left = place(ctrl, next, lo);
    next += ring_pages(lo) * 4096;
    uint8_t *right = place(ctrl, next, ro);
    wire(v, left, right);
    c->cli_live = 1;
    vchan_evtchn_send(v->port);
    return 0;
}

static void notify_if_asked(struct vchan *v, uint8_t bit)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_fetch_and(v->my_notify, (uint8_t)~bit, __ATOMIC_SEQ_CST) & bit)
        vchan_evtchn_send(v->port);
}

uint32_t vchan_write(struct vchan *v, void const *buf, uint32_t len)
{
    uint32_t const prod = v->wr->prod;
    uint32_t const cons = __atomic_load_n(&v->wr->cons, __ATOMIC_ACQUIRE);
    uint32_t space = v->wr_size - (prod - cons);
    if (space > v->wr_size)
        return 0; /* a broken peer index */
    uint32_t const n = len < space ? len : space;
    uint8_t const *src = buf;
    for (uint32_t i = 0; i < n; ++i)
        v->wr_buf[(prod + i) & (v->wr_size - 1)] = src[i];
    __atomic_store_n(&v->wr->prod, prod + n, __ATOMIC_RELEASE);
    if (n < len)
        __atomic_fetch_or(v->peer_notify, VCHAN_NOTIFY_READ, __ATOMIC_SEQ_CST);
    notify_if_asked(v, VCHAN_NOTIFY_WRITE);
    return n;
}

uint32_t vchan_data_ready(struct vchan *v)
{
    uint32_t const fill = __atomic_load_n(&v->rd->prod, __ATOMIC_ACQUIRE) - v->rd->cons;
    return fill > v->rd_size ? 0 : fill;
}

uint32_t vchan_read(struct vchan *v, void *buf, uint32_t len)
{
    uint32_t const cons = v->rd->cons;
    uint32_t const ready = vchan_data_ready(v);
    uint32_t const n = len < ready ? len : ready;
    uint8_t *dst = buf;
    for (uint32_t i = 0; i < n; ++i)
        dst[i] = v->rd_buf[(cons + i) & (v->rd_size - 1)];
    __atomic_store_n(&v->rd->cons, cons + n, __ATOMIC_RELEASE);
    if (n == ready)
        __atomic_fetch_or(v->peer_notify, VCHAN_NOTIFY_WRITE, __ATOMIC_SEQ_CST);
    notify_if_asked(v, VCHAN_NOTIFY_READ);
    return n;
}

int vchan_is_open(struct vchan *v)
{
    uint8_t const peer = v->server ? v->ctrl->cli_live : v->ctrl->srv_live;
    return peer != 0;
}

int vchan_wait(struct vchan *v, uint32_t tries)
{
    for (uint32_t i = 0; i < tries; ++i) {
        if (vchan_event_pending(v->port))
            return 1;
        hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
    }
    return 0;
}

void vchan_close(struct vchan *v)
{
    if (v->server)
        v->ctrl->srv_live = 0;
    else
        v->ctrl->cli_live = 0;
    vchan_evtchn_send(v->port);
}
