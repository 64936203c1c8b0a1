// SPDX-License-Identifier: MIT
// A Ring_provider for hosts without a hypervisor: ring pages are shared memory registered under
// a gfn, event channels are a pair of eventfds. INTRODUCE with that gfn attaches the ring.
#pragma once

#include <map>
#include <mutex>

#include "ring_connection.hpp"

namespace dom::store
{

class Shm_ring_provider final : public Ring_provider
{
  public:
    // `page` must stay mapped until the domain is released. `to_store` is signalled by the
    // domain (the store polls it); `to_domain` is signalled by the store. The fds stay owned
    // by the caller.
    void add_page(int64_t gfn, Ring_interface *page, int to_store, int to_domain);

    hv::Result<Ring_endpoint, Err> map(uint32_t domid, Domain_info const &info) override;

  private:
    struct Entry
    {
        Ring_interface *page;
        int to_store;
        int to_domain;
    };
    std::mutex lock_;
    std::map<int64_t, Entry> pages_;
};

} // namespace dom::store
