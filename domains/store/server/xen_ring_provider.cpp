// SPDX-License-Identifier: MIT
#include "xen_ring_provider.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace dom::store
{

namespace
{
constexpr uint32_t GNTTAB_RESERVED_XENSTORE = 1;
}

xendev::Result<std::unique_ptr<Xen_ring_provider>> Xen_ring_provider::create()
{
    auto g = HV_TRY(xendev::Gntdev::open());
    int const ep = ::epoll_create1(EPOLL_CLOEXEC);
    int const stop = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ep < 0 || stop < 0) {
        std::string err = std::string{"epoll/eventfd: "} + std::strerror(errno);
        for (int fd : {ep, stop})
            if (fd >= 0)
                ::close(fd);
        return hv::unexpected(std::move(err));
    }
    return std::unique_ptr<Xen_ring_provider>{new Xen_ring_provider{std::move(g), ep, stop}};
}

Xen_ring_provider::Xen_ring_provider(xendev::Gntdev g, int epoll_fd, int stop_fd)
    : gntdev_{std::move(g)}, epoll_fd_{epoll_fd}, stop_fd_{stop_fd}
{
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = UINT64_MAX;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev);
    relay_ = std::thread{[this] { relay(); }};
}

Xen_ring_provider::~Xen_ring_provider()
{
    uint64_t const one = 1;
    [[maybe_unused]] auto r = ::write(stop_fd_, &one, sizeof one);
    relay_.join();
    for (auto &[domid, link] : links_)
        ::close(link->eventfd);
    ::close(epoll_fd_);
    ::close(stop_fd_);
}

void Xen_ring_provider::relay()
{
    for (;;) {
        epoll_event evs[16];
        int const n = ::epoll_wait(epoll_fd_, evs, 16, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            std::fprintf(stderr, "wardstore: event relay: epoll_wait: %s\n", std::strerror(errno));
            return;
        }
        std::lock_guard const g{lock_};
        for (int i = 0; i < n; ++i) {
            if (evs[i].data.u64 == UINT64_MAX)
                return;
            auto const it = links_.find(static_cast<uint32_t>(evs[i].data.u64));
            if (it == links_.end())
                continue; // released meanwhile
            if (it->second->evtchn.consume()) {
                uint64_t const one = 1;
                [[maybe_unused]] auto r = ::write(it->second->eventfd, &one, sizeof one);
            }
        }
    }
}

void Xen_ring_provider::drop(uint32_t domid)
{
    std::lock_guard const g{lock_};
    auto const it = links_.find(domid);
    if (it == links_.end())
        return;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->evtchn.fd(), nullptr);
    ::close(it->second->eventfd);
    links_.erase(it); // closing the evtchn fd unbinds the port
}

hv::Result<Ring_endpoint, Err> Xen_ring_provider::map(uint32_t domid, Domain_info const &info)
{
    if (domid == 0 || domid >= 0x7ff0 || info.evtchn == 0)
        return hv::unexpected(Err::INVAL);
    {
        std::lock_guard const g{lock_};
        if (links_.contains(domid))
            return hv::unexpected(Err::EXIST);
    }
    auto mapping = gntdev_.map(domid, GNTTAB_RESERVED_XENSTORE);
    if (!mapping) {
        std::fprintf(stderr, "wardstore: domain %u: grant ref 1: %s\n", domid,
                     mapping.error().c_str());
        return hv::unexpected(Err::ACCES);
    }
    auto ch = xendev::Evtchn::open();
    auto port = ch ? ch->bind_interdomain(domid, info.evtchn)
                   : xendev::Result<uint32_t>{hv::unexpected(ch.error())};
    int const efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!port || efd < 0) {
        std::fprintf(stderr, "wardstore: domain %u: event channel %u: %s\n", domid, info.evtchn,
                     port ? std::strerror(errno) : port.error().c_str());
        if (efd >= 0)
            ::close(efd);
        gntdev_.unmap(*mapping);
        return hv::unexpected(Err::INVAL);
    }
    auto link = std::make_unique<Link>(Link{std::move(*ch), efd});
    xendev::Evtchn *const chan = &link->evtchn;
    {
        std::lock_guard const g{lock_};
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = domid;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, chan->fd(), &ev);
        links_.emplace(domid, std::move(link));
    }
    // Requests the domain queued before the bind: look at the ring once at once.
    uint64_t const one = 1;
    [[maybe_unused]] auto w = ::write(efd, &one, sizeof one);
    std::fprintf(stderr,
                 "wardstore: domain %u: ring (grant ref 1, gfn 0x%llx) mapped, port %u "
                 "bound to local port %u\n",
                 domid, static_cast<unsigned long long>(info.gfn), info.evtchn, *port);
    Ring_endpoint ep;
    ep.page = static_cast<Ring_interface *>(mapping->addr);
    ep.notify_fd = efd;
    ep.kick = [chan] { (void)chan->notify(); };
    xendev::Gntdev::Mapping const m = *mapping;
    ep.unmap = [this, domid, m] {
        drop(domid);
        gntdev_.unmap(m);
    };
    return ep;
}

} // namespace dom::store
