// SPDX-License-Identifier: MIT
#include "shm_ring_provider.hpp"

#include <cstdint>
#include <unistd.h>

namespace dom::store
{

void Shm_ring_provider::add_page(int64_t gfn, Ring_interface *page, int to_store, int to_domain)
{
    std::lock_guard const g{lock_};
    pages_[gfn] = Entry{page, to_store, to_domain};
}

hv::Result<Ring_endpoint, Err> Shm_ring_provider::map(uint32_t, Domain_info const &info)
{
    std::lock_guard const g{lock_};
    auto const it = pages_.find(info.gfn);
    if (it == pages_.end())
        return hv::unexpected(Err::NOENT);
    int const kick_fd = it->second.to_domain;
    Ring_endpoint ep;
    ep.page = it->second.page;
    ep.notify_fd = it->second.to_store;
    ep.kick = [kick_fd] {
        uint64_t const one = 1;
        [[maybe_unused]] auto r = ::write(kick_fd, &one, sizeof one);
    };
    return ep;
}

} // namespace dom::store
