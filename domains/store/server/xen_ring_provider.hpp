// SPDX-License-Identifier: MIT
// A Ring_provider for wardstore running in a Linux store domain on Ward (docs/store-domain.md):
// INTRODUCE maps the domain's grant reference 1 (GNTTAB_RESERVED_XENSTORE) through
// /dev/xen/gntdev and binds its store event channel port through /dev/xen/evtchn. The evtchn
// device masks a port when it fires until the port number is written back, so a relay thread
// reads each domain's fired port, unmasks it and signals that domain's eventfd, which is the fd
// Ring_connection waits on (eventfd semantics, as with the shared-memory provider).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "ring_connection.hpp"
#include "ward/xendev/devices.hpp"

namespace dom::store
{

class Xen_ring_provider final : public Ring_provider
{
  public:
    static xendev::Result<std::unique_ptr<Xen_ring_provider>> create();
    ~Xen_ring_provider() override;

    // info.gfn is only logged: the page is the one behind grant reference 1, as in Xen.
    hv::Result<Ring_endpoint, Err> map(uint32_t domid, Domain_info const &info) override;

  private:
    struct Link
    {
        xendev::Evtchn evtchn;
        int eventfd;
    };
    Xen_ring_provider(xendev::Gntdev g, int epoll_fd, int stop_fd);
    void relay();
    void drop(uint32_t domid);

    xendev::Gntdev gntdev_;
    int epoll_fd_;
    int stop_fd_;
    std::mutex lock_;
    std::map<uint32_t, std::unique_ptr<Link>> links_; // by domid
    std::thread relay_;
};

} // namespace dom::store
