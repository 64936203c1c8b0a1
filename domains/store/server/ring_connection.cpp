// SPDX-License-Identifier: MIT
#include "ring_connection.hpp"

#include <cerrno>
#include <cstdint>
#include <unistd.h>

namespace dom::store
{

namespace
{

uint32_t load_acquire(uint32_t const *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

void store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

} // namespace

Ring_connection::Ring_connection(uint32_t domid, Ring_endpoint ep) : domid_{domid}, ep_{ep}
{
    store_release(&ep_.page->server_features,
                  FEATURE_RECONNECTION | FEATURE_ERROR | FEATURE_WATCHDEPTH);
}

Ring_connection::~Ring_connection()
{
    if (ep_.unmap)
        ep_.unmap();
}

void Ring_connection::fail(uint32_t error)
{
    store_release(&ep_.page->error, error);
    if (ep_.kick)
        ep_.kick();
}

void Ring_connection::drain_notifications()
{
    uint64_t count;
    while (::read(ep_.notify_fd, &count, sizeof count) == sizeof count) {
    }
}

bool Ring_connection::pull()
{
    drain_notifications();
    Ring_interface *const r = ep_.page;
    if (load_acquire(&r->connection) == RING_RECONNECT) {
        // Drop partial packets, in-flight requests and queued output; the server drops the
        // watches and transactions. Only the store writes CONNECTED.
        in_.clear();
        in_off_ = 0;
        drop_output();
        r->req_cons = r->req_prod = r->rsp_cons = r->rsp_prod = 0;
        store_release(&r->error, RING_ERROR_NONE);
        store_release(&r->connection, RING_CONNECTED);
        reset_requested = true;
        if (ep_.kick)
            ep_.kick();
        return true;
    }
    uint32_t cons = load_acquire(&r->req_cons);
    uint32_t const prod = load_acquire(&r->req_prod);
    if (prod - cons > RING_SIZE) {
        fail(RING_ERROR_RINGIDX);
        return false;
    }
    bool moved = false;
    while (cons != prod && input_size() < INPUT_HIGH_WATER) {
        uint32_t const off = ring_mask(cons);
        uint32_t const chunk = std::min(prod - cons, RING_SIZE - off);
        in_.append(r->req + off, chunk);
        cons += chunk;
        moved = true;
    }
    if (moved) {
        store_release(&r->req_cons, cons);
        if (ep_.kick)
            ep_.kick();
    }
    return push();
}

bool Ring_connection::push()
{
    Ring_interface *const r = ep_.page;
    uint32_t const cons = load_acquire(&r->rsp_cons);
    uint32_t prod = r->rsp_prod;
    if (prod - cons > RING_SIZE) {
        fail(RING_ERROR_RINGIDX);
        return false;
    }
    bool moved = false;
    while (output_size() > 0 && prod - cons < RING_SIZE) {
        uint32_t const off = ring_mask(prod);
        uint32_t const space = std::min(RING_SIZE - (prod - cons), RING_SIZE - off);
        uint32_t const chunk = static_cast<uint32_t>(std::min<size_t>(space, output_size()));
        std::copy_n(out_.data() + out_off_, chunk, r->rsp + off);
        consumed_output(chunk);
        prod += chunk;
        moved = true;
    }
    if (moved) {
        store_release(&r->rsp_prod, prod);
        if (ep_.kick)
            ep_.kick();
    }
    return true;
}

} // namespace dom::store
