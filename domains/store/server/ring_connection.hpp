// SPDX-License-Identifier: MIT
// A domain's connection over the shared ring page (struct xenstore_domain_interface) and its
// event channel. The page is guest memory: every index read from it is validated.
#pragma once

#include <functional>

#include "../core/core.hpp"
#include "connection.hpp"

namespace dom::store
{

// How the store reaches one domain's ring: the mapped page, an fd that becomes readable when
// the domain signals the event channel, and a function that signals the domain.
struct Ring_endpoint
{
    Ring_interface *page = nullptr;
    int notify_fd = -1;          // readable on a kick from the domain (eventfd semantics)
    std::function<void()> kick;  // notify the domain
    std::function<void()> unmap; // called when the connection goes away
};

// Maps a domain's ring when it is introduced (grant/foreign mapping in Ward; shared memory on
// a host test).
class Ring_provider
{
  public:
    virtual ~Ring_provider() = default;
    virtual hv::Result<Ring_endpoint, Err> map(uint32_t domid, Domain_info const &info) = 0;
};

class Ring_connection final : public Connection
{
  public:
    Ring_connection(uint32_t domid, Ring_endpoint ep);
    ~Ring_connection() override;

    int fd() const override { return ep_.notify_fd; }
    bool pull() override;
    bool push() override;

    uint32_t domid() const { return domid_; }
    // Set by pull() when the domain asked to reconnect; the server then drops the
    // connection's watches and transactions.
    bool reset_requested = false;
    // Records a protocol error on the page (the domain sees XENSTORE_ERROR_*).
    void fail(uint32_t error);

  private:
    void drain_notifications();

    uint32_t domid_;
    Ring_endpoint ep_;
};

} // namespace dom::store
