// SPDX-License-Identifier: MIT
#include "server.hpp"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "socket_connection.hpp"
#include <cstdio>

namespace dom::store
{

namespace
{

// epoll tags for the two fds that are not connections.
char listen_tag;
char stop_tag;

} // namespace

Server::Server(Server_options opts) : opts_{std::move(opts)}, core_{opts_.core}
{
    core_.set_hooks(this);
}

Server::~Server()
{
    conns_.clear();
    for (int fd : {epoll_fd_, listen_fd_, stop_fd_})
        if (fd >= 0)
            ::close(fd);
}

hv::Result<void, std::string> Server::start()
{
    auto *j = HV_TRY(Journal::open(opts_.state_dir, core_));
    journal_.reset(j);
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || stop_fd_ < 0)
        return hv::unexpected(std::string{"epoll/eventfd: "} + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &stop_tag;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev);
    if (provider_)
        for (auto const &[domid, info] : core_.domains())
            if (!attach(domid, info))
                std::fprintf(stderr, "wardstore: could not re-attach domain %u\n", domid);
    if (!opts_.socket_path.empty()) {
        listen_fd_ = listen_unix(opts_.socket_path);
        if (listen_fd_ < 0)
            return hv::unexpected("listen " + opts_.socket_path + ": " +
                                  std::strerror(-listen_fd_));
        ev.data.ptr = &listen_tag;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
    }
    return {};
}

void Server::stop()
{
    uint64_t const one = 1;
    [[maybe_unused]] auto r = ::write(stop_fd_, &one, sizeof one);
}

void Server::add(std::unique_ptr<Connection> c, Caller caller)
{
    c->conn = &core_.open(caller, *c);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c.get();
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd(), &ev);
    conns_.push_back(std::move(c));
}

hv::Result<void, Err> Server::attach(uint32_t domid, Domain_info const &info)
{
    if (!provider_)
        return {};
    auto ep = HV_TRY(provider_->map(domid, info));
    Caller const caller{domid, false, info.target};
    add(std::make_unique<Ring_connection>(domid, std::move(ep)), caller);
    return {};
}

void Server::detach(uint32_t domid)
{
    for (auto &c : conns_)
        if (auto *r = dynamic_cast<Ring_connection *>(c.get()); r && r->domid() == domid)
            r->dead = true;
}

void Server::accept_all()
{
    for (;;) {
        int const fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        add(std::make_unique<Socket_connection>(fd), Caller{0, true, std::nullopt});
    }
}

std::unordered_map<uint32_t, size_t> Server::outstanding_by_domain()
{
    std::unordered_map<uint32_t, size_t> m;
    for (auto const &c : conns_)
        if (!c->dead && !c->conn->caller.privileged)
            m[c->conn->caller.domid] += c->outstanding();
    return m;
}

// C xenstored stops reading a domain's ring while the domain has `outstanding` requests
// unanswered (domain.c, domain_can_read); requests wait in their queue, no error is sent.
bool Server::servable(Connection &c, std::unordered_map<uint32_t, size_t> const &outst) const
{
    if (c.dead || c.output_size() >= OUTPUT_HIGH_WATER)
        return false;
    Caller const &who = c.conn->caller;
    if (who.privileged)
        return true;
    auto const it = outst.find(who.domid);
    size_t const used = it == outst.end() ? 0 : it->second;
    return !over(used + 1, core_.quotas_for(who.domid).outstanding);
}

// One request per connection per pass, starting one further along each round, so a client
// with a deep queue gets no more turns than one with a single request.
void Server::serve_round()
{
    size_t budget = 8192;
    bool progress = true;
    size_t const n = conns_.size();
    if (n == 0)
        return;
    rr_ = (rr_ + 1) % n;
    auto outst = outstanding_by_domain();
    while (progress && budget > 0) {
        progress = false;
        for (size_t k = 0; k < n && budget > 0; ++k) {
            Connection &c = *conns_[(rr_ + k) % n];
            if (!servable(c, outst))
                continue;
            bool handled = false;
            if (!c.serve_one(core_, handled)) {
                if (auto *r = dynamic_cast<Ring_connection *>(&c))
                    r->fail(RING_ERROR_PROTO);
                c.dead = true; // a protocol violation closes this connection only
                continue;
            }
            if (handled) {
                progress = true;
                --budget;
                if (!c.conn->caller.privileged)
                    ++outst[c.conn->caller.domid]; // its reply is queued until pushed
            }
        }
    }
}

void Server::update_interest(Connection &c)
{
    if (dynamic_cast<Ring_connection *>(&c))
        return; // the event channel stays armed: kicks mean input or freed space
    bool const want_in = c.wants_input();
    bool const want_out = c.output_size() > 0;
    if (want_in == c.polled_in && want_out == c.polled_out)
        return;
    epoll_event ev{};
    ev.events = (want_in ? EPOLLIN : 0u) | (want_out ? EPOLLOUT : 0u);
    ev.data.ptr = &c;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd(), &ev);
    c.polled_in = want_in;
    c.polled_out = want_out;
}

void Server::reap()
{
    for (auto it = conns_.begin(); it != conns_.end();) {
        if (!(*it)->dead) {
            ++it;
            continue;
        }
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, (*it)->fd(), nullptr);
        core_.close(*(*it)->conn);
        it = conns_.erase(it);
    }
}

hv::Result<void, std::string> Server::run()
{
    epoll_event evs[128];
    for (;;) {
        bool busy = false;
        auto const outst = outstanding_by_domain();
        for (auto const &c : conns_)
            if (servable(*c, outst) && c->has_request())
                busy = true;
        int const n = ::epoll_wait(epoll_fd_, evs, 128, busy ? 0 : -1);
        if (n < 0 && errno != EINTR)
            return hv::unexpected(std::string{"epoll_wait: "} + std::strerror(errno));
        for (int i = 0; i < n; ++i) {
            void *const tag = evs[i].data.ptr;
            if (tag == &stop_tag)
                return {};
            if (tag == &listen_tag) {
                accept_all();
                continue;
            }
            auto *c = static_cast<Connection *>(tag);
            bool const ring = dynamic_cast<Ring_connection *>(c) != nullptr;
            if (evs[i].events & EPOLLERR)
                c->dead = true;
            else if ((evs[i].events & (EPOLLIN | EPOLLHUP)) && (ring || c->wants_input()) &&
                     !c->pull())
                c->dead = true;
            if ((evs[i].events & EPOLLOUT) && !c->push())
                c->dead = true;
        }
        // A ring that asked to reconnect has been told CONNECTED already, so its state must be
        // dropped before any request it sends next is served: after every pull, not a round later.
        auto const reset_reconnected = [&] {
            for (auto &c : conns_)
                if (auto *r = dynamic_cast<Ring_connection *>(c.get()); r && r->reset_requested) {
                    core_.reset(*r->conn);
                    r->reset_requested = false;
                }
        };
        reset_reconnected();
        serve_round();
        for (auto &c : conns_)
            if (auto *r = dynamic_cast<Ring_connection *>(c.get()))
                if (!r->dead && r->wants_input() && !r->pull())
                    r->dead = true;
        reset_reconnected();
        if (core_.journal_pending()) {
            journal_->append(core_.take_journal());
            HV_TRY(journal_->sync());
            if (journal_->wants_compaction())
                HV_TRY(journal_->compact(core_));
        }
        for (auto &c : conns_) {
            if (!c->dead && c->output_size() > 0 && !c->push())
                c->dead = true;
            if (!c->dead)
                update_interest(*c);
        }
        reap();
    }
}

} // namespace dom::store
