// SPDX-License-Identifier: MIT
// The grant transport of a vchan inside Ward (docs/vchan.md section 5): pages granted with
// /dev/xen/gntalloc and mapped with /dev/xen/gntdev, one event channel through /dev/xen/evtchn,
// the rendezvous in the store through /dev/xen/xenbus. The ring code is the caller's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hv/result.hpp"
#include "ward/vchan/error.hpp"

namespace dom::vchan
{
struct Endpoint;
}

namespace dom::vchan::grant
{

class Link
{
  public:
    // Server: grants `pages` zeroed pages (control page first) to the client domain and binds an
    // unbound event channel for it. Nothing is published yet.
    static hv::Result<std::unique_ptr<Link>, Error> serve(Endpoint const &ep, std::size_t pages);
    // Client: reads ring-ref and event-channel from the store (NOT_CONNECTED if not there),
    // maps the control page from the server domain and binds the event channel.
    static hv::Result<std::unique_ptr<Link>, Error> connect(Endpoint const &ep);
    ~Link();

    uint8_t *pages() const;               // server: all granted pages; client: the control page
    uint32_t ref(std::size_t page) const; // server: grant reference of a page
    uint32_t control_ref() const;

    // Server: writes ring-ref and event-channel (readable by the client only) once the control
    // page is ready; unpublish removes the channel's node (when the client has connected).
    hv::Result<void, Error> publish();
    void unpublish();
    // Client: maps `refs` of the server as contiguous pages (REFUSED if the hypervisor says no).
    hv::Result<uint8_t *, Error> map_ring(std::vector<uint32_t> const &refs);
    // Clear our *_live byte (control page offset) and kick the peer if this side's mapping or
    // allocation goes away without a close (exit, crash).
    hv::Result<void, Error> notify_on_unmap(uint32_t live_offset);

    int fd() const;
    void kick();
    void consume();

  private:
    struct State;
    explicit Link(std::unique_ptr<State> s);
    std::unique_ptr<State> s_;
};

} // namespace dom::vchan::grant
