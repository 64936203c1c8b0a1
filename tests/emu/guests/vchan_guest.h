/* SPDX-License-Identifier: MIT */
/* A freestanding vchan for Ward's test guests: the libxenvchan shared-memory layout of
 * docs/vchan.md §2 (control page, two rings, notify bits) carried by Xen grants and an event
 * channel. The same layout as domains/lib/vchan's host transport; only the transport differs.
 * The server grants the pages and allocates the port; the client binds, maps and validates. */
#ifndef WARD_VCHAN_GUEST_H
#define WARD_VCHAN_GUEST_H

#include <stdint.h>

struct vchan_ring_shared
{
    uint32_t cons, prod;
};

struct vchan_interface
{
    struct vchan_ring_shared left, right; /* left: client writes; right: server writes */
    uint16_t left_order, right_order;
    uint8_t cli_live, srv_live, cli_notify, srv_notify;
    uint32_t grants[];
};

#define VCHAN_NOTIFY_WRITE 1
#define VCHAN_NOTIFY_READ 2

struct vchan
{
    volatile struct vchan_interface *ctrl;
    int server;
    uint32_t port;
    volatile struct vchan_ring_shared *rd, *wr; /* the ring we read, the ring we write */
    uint8_t *rd_buf, *wr_buf;
    uint32_t rd_size, wr_size;
    volatile uint8_t *my_notify, *peer_notify;
    uint32_t handles[40];
    uint32_t nr_handles;
    uint32_t window;
};

/* Event channel and grant helpers shared with other guests. */
long vchan_evtchn_send(uint32_t port);
long vchan_evtchn_alloc_unbound(uint16_t peer);              /* the new port, or negative errno */
long vchan_evtchn_bind(uint16_t peer, uint32_t remote_port); /* the local port, or negative */
int vchan_place_shared_info(void *page);                     /* XENMAPSPACE_shared_info */
int vchan_place_grant_table(uint32_t gpa);                   /* XENMAPSPACE_grant_table */
int vchan_event_pending(uint32_t port);                      /* tests and clears the pending bit */

/* Server: `pages` is page-aligned memory of 1 + ring pages, `gref` the first free grant
 * reference (the control page's: the client needs it, and the returned port). Orders 10..20;
 * 10 and 11 sit inside the control page. Returns 0 or a negative errno. */
long vchan_server_init(struct vchan *v, uint16_t peer, uint32_t gref, uint8_t *pages,
                       uint16_t left_order, uint16_t right_order);
/* Client: binds to `port` of `peer`, maps its control page (grant `gref`) and rings at
 * guest-physical `window` upwards (foreign window), validates the layout. 0 or negative:
 * -errno for the bind, -100 + GNTST for a map, -200 for a bad layout. */
long vchan_client_init(struct vchan *v, uint16_t peer, uint32_t gref, uint32_t port,
                       uint32_t window);
/* Stream I/O: as many bytes as fit / are there (maybe 0). */
uint32_t vchan_write(struct vchan *v, void const *buf, uint32_t len);
uint32_t vchan_read(struct vchan *v, void *buf, uint32_t len);
uint32_t vchan_data_ready(struct vchan *v);
/* 1 connected, 0 the peer left (its live flag is 0, e.g. it died and Ward revoked its page). */
int vchan_is_open(struct vchan *v);
/* Waits for an event on the channel's port (yielding the CPU); 0 after `tries` yields. */
int vchan_wait(struct vchan *v, uint32_t tries);
void vchan_close(struct vchan *v);

#endif
