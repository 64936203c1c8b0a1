// SPDX-License-Identifier: MIT
// vchan over the host transport: ring setup, validation of the peer's pages, notifications.
#include "ward/vchan/vchan.hpp"

#include <cstddef>
#include <cstring>
#include <map>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "grant_transport.hpp"
#include "socket_transport.hpp"
#include "ward/vchan/grant_keys.hpp"
#include "ward/vchan/ring.hpp"

namespace dom::vchan
{

namespace
{

constexpr std::size_t MAX_PENDING_MEMORY = 256; // shared objects the peer may leave untaken

struct Mapping
{
    void *addr = MAP_FAILED;
    std::size_t len = 0;
};

} // namespace

struct Vchan::Impl
{
    std::string path;
    int listen_fd = -1;
    int conn_fd = -1;
    int pages_fd = -1;
    std::vector<Mapping> maps;
    Interface *ctrl = nullptr;
    Ring rd;
    Ring wr;
    bool attached = false;
    bool closed = false;
    uint32_t next_handle = 0;
    std::map<uint32_t, int> received;
    std::unique_ptr<grant::Link> link; // the grant transport, or null on a host

    ~Impl()
    {
        for (auto const &m : maps)
            if (m.addr != MAP_FAILED)
                ::munmap(m.addr, m.len);
        for (auto const &[h, fd] : received)
            ::close(fd);
        for (int fd : {listen_fd, conn_fd, pages_fd})
            if (fd >= 0)
                ::close(fd);
        if (listen_fd >= 0 && !path.empty())
            ::unlink(path.c_str());
    }
};

std::string Endpoint::socket_path() const
{
    return dir + "/vchan." + std::to_string(server_domain) + "." + std::to_string(client_domain) +
           "." + std::to_string(port) + ".sock";
}

Vchan::Vchan(bool server) : server_{server}, impl_{std::make_unique<Impl>()} {}

Vchan::~Vchan()
{
    close_channel();
}

void Vchan::kick_peer()
{
    if (impl_->link)
        impl_->link->kick();
    else if (impl_->conn_fd >= 0)
        (void)socket::send(impl_->conn_fd, socket::KICK, 0);
}

void Vchan::close_channel()
{
    if (impl_->ctrl && !impl_->closed) {
        uint8_t *live = server_ ? &impl_->ctrl->srv_live : &impl_->ctrl->cli_live;
        __atomic_store_n(live, LIVE_EXITED, __ATOMIC_SEQ_CST);
        kick_peer();
    }
    impl_->closed = true;
}

hv::Result<Vchan::Ptr, Error> Vchan::server_init(Endpoint const &ep, std::size_t read_min,
                                                 std::size_t write_min)
{
    Orders const o = choose_orders(read_min, write_min);
    if (o.left == 0 || o.right == 0 || !grants_fit(o))
        return hv::unexpected(Error::INVALID_ARGUMENT);
    std::size_t const lp = ring_pages(o.left), rp = ring_pages(o.right);
    std::size_t const total = PAGE_SIZE * (1 + lp + rp);

    Ptr v{new Vchan(true)};
    Impl &im = *v->impl_;
    bool const granted = ep.transport == Transport::GRANT;
    uint8_t *page = nullptr;
    if (granted) {
        im.link = HV_TRY(grant::Link::serve(ep, 1 + lp + rp));
        page = im.link->pages();
    } else {
        im.pages_fd = HV_TRY(socket::sealed_memfd("vchan", total));
        void *base = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, im.pages_fd, 0);
        if (base == MAP_FAILED)
            return hv::unexpected(Error::SYSTEM);
        im.maps.push_back({base, total});
        page = static_cast<uint8_t *>(base);
    }
    im.ctrl = reinterpret_cast<Interface *>(page);
    im.ctrl->left_order = static_cast<uint16_t>(o.left);
    im.ctrl->right_order = static_cast<uint16_t>(o.right);
    im.ctrl->cli_live = LIVE_WAITING;
    im.ctrl->srv_live = LIVE_CONNECTED;
    // Grant refs on a host are page numbers within the memfd; page 0 is the control page.
    // Over grants they are the references gntalloc handed out for each page.
    auto *grants = reinterpret_cast<uint32_t *>(page + GRANTS_OFFSET);
    for (std::size_t i = 0; i < lp + rp; ++i)
        grants[i] = granted ? im.link->ref(1 + i) : static_cast<uint32_t>(1 + i);
    auto ring_at = [&](unsigned order, std::size_t first_page) -> uint8_t * {
        if (order == 10)
            return page + IN_PAGE_OFFSET_ORDER10;
        if (order == 11)
            return page + IN_PAGE_OFFSET_ORDER11;
        return page + PAGE_SIZE * first_page;
    };
    im.rd = Ring{&im.ctrl->left, ring_at(o.left, 1), uint32_t{1} << o.left, true};
    im.wr = Ring{&im.ctrl->right, ring_at(o.right, 1 + lp), uint32_t{1} << o.right, false};
    if (granted) {
        // If this process goes away without closing, Linux clears srv_live and kicks the client.
        HV_TRY(im.link->notify_on_unmap(offsetof(Interface, srv_live)));
        HV_TRY(im.link->publish()); // only now that the control page is complete
        return v;
    }
    im.path = ep.socket_path();
    im.listen_fd = HV_TRY(socket::listen_at(im.path));
    return v;
}

hv::Result<Vchan::Ptr, Error> Vchan::client_init(Endpoint const &ep)
{
    Ptr v{new Vchan(false)};
    if (ep.transport == Transport::GRANT) {
        // Over grants the pages are there already: map and check them now (connected on return).
        v->impl_->link = HV_TRY(grant::Link::connect(ep));
        HV_TRY(v->attach_grants());
        return v;
    }
    v->impl_->conn_fd = HV_TRY(socket::connect_to(ep.socket_path()));
    return v;
}

// Client side over grants: the server's control page is mapped; check it and map the rings.
hv::Result<void, Error> Vchan::attach_grants()
{
    Impl &im = *impl_;
    uint8_t *const page = im.link->pages();
    im.ctrl = reinterpret_cast<Interface *>(page);
    Orders const o = HV_TRY(check_orders(__atomic_load_n(&im.ctrl->left_order, __ATOMIC_ACQUIRE),
                                         __atomic_load_n(&im.ctrl->right_order, __ATOMIC_ACQUIRE)));
    std::vector<uint32_t> const refs = HV_TRY(check_grants(
        reinterpret_cast<uint32_t const *>(page + GRANTS_OFFSET), o, im.link->control_ref()));
    std::size_t const lp = ring_pages(o.left);
    auto map_ring = [&](unsigned order, std::size_t first) -> hv::Result<uint8_t *, Error> {
        if (order == 10)
            return page + IN_PAGE_OFFSET_ORDER10;
        if (order == 11)
            return page + IN_PAGE_OFFSET_ORDER11;
        return im.link->map_ring(
            {refs.begin() + static_cast<std::ptrdiff_t>(first),
             refs.begin() + static_cast<std::ptrdiff_t>(first + ring_pages(order))});
    };
    uint8_t *const left = HV_TRY(map_ring(o.left, 0));
    uint8_t *const right = HV_TRY(map_ring(o.right, lp));
    // If this process goes away without closing, Linux clears cli_live and kicks the server.
    HV_TRY(im.link->notify_on_unmap(offsetof(Interface, cli_live)));
    HV_TRY(finish_attach(o.left, o.right, left, right));
    kick_peer(); // the server waits for cli_live, whatever its notify bits say
    return {};
}

// Client side: map and check the server's pages. Everything in them is the peer's to forge.
hv::Result<void, Error> Vchan::attach_pages(int memfd)
{
    Impl &im = *impl_;
    if (im.pages_fd >= 0) {
        ::close(memfd);
        return hv::unexpected(Error::PROTOCOL); // pages sent twice
    }
    im.pages_fd = memfd;
    std::size_t const size = HV_TRY(socket::check_sealed(memfd, PAGE_SIZE));
    void *base = ::mmap(nullptr, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (base == MAP_FAILED)
        return hv::unexpected(Error::SYSTEM);
    im.maps.push_back({base, PAGE_SIZE});
    auto *page = static_cast<uint8_t *>(base);
    im.ctrl = reinterpret_cast<Interface *>(page);
    Orders const o = HV_TRY(check_orders(__atomic_load_n(&im.ctrl->left_order, __ATOMIC_ACQUIRE),
                                         __atomic_load_n(&im.ctrl->right_order, __ATOMIC_ACQUIRE)));
    unsigned const lo = o.left, ro = o.right;

    std::size_t grant = 0;
    auto map_ring = [&](unsigned order) -> hv::Result<uint8_t *, Error> {
        if (order == 10)
            return page + IN_PAGE_OFFSET_ORDER10;
        if (order == 11)
            return page + IN_PAGE_OFFSET_ORDER11;
        std::size_t const len = std::size_t{1} << order;
        void *area = ::mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (area == MAP_FAILED)
            return hv::unexpected(Error::SYSTEM);
        im.maps.push_back({area, len});
        auto *grants = reinterpret_cast<uint32_t const *>(page + GRANTS_OFFSET);
        for (std::size_t i = 0; i < ring_pages(order); ++i) {
            uint32_t const ref = __atomic_load_n(&grants[grant++], __ATOMIC_RELAXED);
            if (ref == 0 || (std::size_t{ref} + 1) * PAGE_SIZE > size)
                return hv::unexpected(Error::PROTOCOL);
            void *at = static_cast<uint8_t *>(area) + i * PAGE_SIZE;
            if (::mmap(at, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd,
                       static_cast<off_t>(ref) * PAGE_SIZE) == MAP_FAILED)
                return hv::unexpected(Error::SYSTEM);
        }
        return static_cast<uint8_t *>(area);
    };
    uint8_t *const left = HV_TRY(map_ring(lo));
    uint8_t *const right = HV_TRY(map_ring(ro));
    return finish_attach(lo, ro, left, right);
}

// Client side, both transports: the rings are mapped; start using them.
hv::Result<void, Error> Vchan::finish_attach(unsigned lo, unsigned ro, uint8_t *left,
                                             uint8_t *right)
{
    Impl &im = *impl_;
    im.wr = Ring{&im.ctrl->left, left, uint32_t{1} << lo, false};
    im.rd = Ring{&im.ctrl->right, right, uint32_t{1} << ro, true};
    // A hostile server may have preset the indexes so that the ring looks over-full.
    HV_TRY(im.rd.readable());
    HV_TRY(im.wr.writable());
    __atomic_store_n(&im.ctrl->cli_live, LIVE_CONNECTED, __ATOMIC_SEQ_CST);
    im.attached = true;
    request_notify(NOTIFY_WRITE);
    return notify_peer(NOTIFY_READ);
}

int Vchan::fd() const
{
    if (impl_->link)
        return impl_->link->fd();
    return impl_->conn_fd >= 0 ? impl_->conn_fd : impl_->listen_fd;
}

hv::Result<void, Error> Vchan::process_events()
{
    Impl &im = *impl_;
    if (im.closed)
        return hv::unexpected(Error::CLOSED);
    auto fail = [&](Error e) -> hv::Result<void, Error> {
        close_channel();
        return hv::unexpected(e);
    };
    if (im.link) {
        im.link->consume(); // unmasks the port: the fd is readable at the next kick
        if (server_ && !im.attached) {
            uint8_t const cli = __atomic_load_n(&im.ctrl->cli_live, __ATOMIC_ACQUIRE);
            if (cli == LIVE_WAITING)
                return {};
            // Connected, or already gone: either way its data is read before CLOSED (below).
            // One client per channel: the keys go, as the host socket is unlinked.
            im.link->unpublish();
            im.attached = true;
            request_notify(NOTIFY_WRITE);
        }
    } else if (server_ && im.conn_fd < 0) {
        auto acc = socket::accept_one(im.listen_fd);
        if (!acc)
            return fail(acc.error());
        if (!*acc)
            return {};
        im.conn_fd = **acc;
        // One client per channel, as with grants: stop listening.
        ::close(im.listen_fd);
        im.listen_fd = -1;
        ::unlink(im.path.c_str());
        if (auto r = socket::send(im.conn_fd, socket::PAGES, 0, im.pages_fd); !r)
            return fail(r.error());
        im.attached = true;
        request_notify(NOTIFY_WRITE);
    }
    // Bounded, so that a peer sending datagrams as fast as we read cannot keep us here; what is
    // left keeps the descriptor readable for the next call.
    for (int budget = im.link ? 0 : 4096; budget > 0; --budget) {
        auto msg = socket::receive(im.conn_fd);
        if (!msg)
            return fail(msg.error());
        if (!*msg)
            break;
        socket::Message const m = **msg;
        switch (m.tag) {
        case socket::PAGES:
            if (server_) {
                ::close(m.fd);
                return fail(Error::PROTOCOL);
            }
            if (auto r = attach_pages(m.fd); !r)
                return fail(r.error());
            break;
        case socket::KICK: break;
        case socket::MEMORY:
            if (im.received.size() >= MAX_PENDING_MEMORY || im.received.count(m.value)) {
                ::close(m.fd);
                return fail(im.received.count(m.value) ? Error::PROTOCOL : Error::LIMIT);
            }
            im.received.emplace(m.value, m.fd);
            break;
        default: return fail(Error::PROTOCOL);
        }
    }
    if (im.attached) {
        uint8_t const peer_live =
            __atomic_load_n(server_ ? &im.ctrl->cli_live : &im.ctrl->srv_live, __ATOMIC_ACQUIRE);
        if (peer_live == LIVE_EXITED && data_ready() == 0)
            return fail(Error::CLOSED);
        // Check the peer's indexes now so that a corrupted ring surfaces as an event.
        if (!im.rd.readable() || !im.wr.writable())
            return fail(Error::PROTOCOL);
    }
    return {};
}

bool Vchan::peer_exited() const
{
    Impl const &im = *impl_;
    return !im.closed && im.attached &&
           __atomic_load_n(server_ ? &im.ctrl->cli_live : &im.ctrl->srv_live, __ATOMIC_ACQUIRE) ==
               LIVE_EXITED;
}

hv::Result<void, Error> Vchan::wait(int timeout_ms)
{
    // An event channel is edge-triggered: the kick of a peer that left data and exited may have
    // been consumed by the process_events() that found the data, and no other kick will come.
    // Once the peer has exited there is nothing to wait for (libxenvchan's is_open reads the
    // live byte the same way).
    if (!peer_exited()) {
        pollfd p{fd(), POLLIN, 0};
        int const n = ::poll(&p, 1, timeout_ms);
        if (n < 0 && errno != EINTR)
            return hv::unexpected(Error::SYSTEM);
    }
    return process_events();
}

State Vchan::state() const
{
    if (impl_->closed)
        return State::DISCONNECTED;
    if (!impl_->attached)
        return State::WAITING;
    return State::CONNECTED;
}

std::size_t Vchan::data_ready() const
{
    if (!impl_->attached)
        return 0;
    return impl_->rd.readable().value_or(0);
}

std::size_t Vchan::buffer_space() const
{
    if (!impl_->attached || impl_->closed)
        return 0;
    return impl_->wr.writable().value_or(0);
}

std::size_t Vchan::read_capacity() const
{
    return impl_->attached ? impl_->rd.size() : 0;
}
std::size_t Vchan::write_capacity() const
{
    return impl_->attached ? impl_->wr.size() : 0;
}

void Vchan::request_notify(uint8_t bit)
{
    uint8_t *peer = server_ ? &impl_->ctrl->cli_notify : &impl_->ctrl->srv_notify;
    __atomic_fetch_or(peer, bit, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

hv::Result<void, Error> Vchan::notify_peer(uint8_t bit)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST); // index update before the notify check
    uint8_t *own = server_ ? &impl_->ctrl->srv_notify : &impl_->ctrl->cli_notify;
    uint8_t const prev = __atomic_fetch_and(own, static_cast<uint8_t>(~bit), __ATOMIC_SEQ_CST);
    if (!(prev & bit))
        return {};
    if (impl_->link) {
        impl_->link->kick();
        return {};
    }
    if (impl_->conn_fd < 0)
        return {};
    return socket::send(impl_->conn_fd, socket::KICK, bit);
}

hv::Result<std::size_t, Error> Vchan::read(void *buf, std::size_t len)
{
    Impl &im = *impl_;
    if (!im.attached)
        return hv::unexpected(im.closed ? Error::CLOSED : Error::NOT_CONNECTED);
    std::size_t const n = HV_TRY(im.rd.read(buf, len));
    if (n > 0)
        HV_TRY(notify_peer(NOTIFY_READ));
    if (im.rd.readable().value_or(0) == 0)
        request_notify(NOTIFY_WRITE); // the caller re-checks data_ready() after this
    if (n == 0 && im.closed)
        return hv::unexpected(Error::CLOSED);
    return n;
}

hv::Result<std::size_t, Error> Vchan::write(void const *buf, std::size_t len)
{
    Impl &im = *impl_;
    if (im.closed)
        return hv::unexpected(Error::CLOSED);
    if (!im.attached)
        return hv::unexpected(Error::NOT_CONNECTED);
    if (peer_exited())
        return hv::unexpected(Error::CLOSED); // nobody will read it (libxenvchan: -1)
    std::size_t const n = HV_TRY(im.wr.write(buf, len));
    if (n > 0)
        HV_TRY(notify_peer(NOTIFY_WRITE));
    if (n < len)
        request_notify(NOTIFY_READ);
    return n;
}

hv::Result<void, Error> Vchan::recv(void *buf, std::size_t len)
{
    if (!impl_->attached)
        return hv::unexpected(impl_->closed ? Error::CLOSED : Error::NOT_CONNECTED);
    if (len > impl_->rd.size())
        return hv::unexpected(Error::INVALID_ARGUMENT);
    if (data_ready() < len) {
        request_notify(NOTIFY_WRITE);
        return hv::unexpected(impl_->closed ? Error::CLOSED : Error::WOULD_BLOCK);
    }
    HV_TRY(read(buf, len));
    return {};
}

hv::Result<void, Error> Vchan::send(void const *buf, std::size_t len)
{
    if (!impl_->attached)
        return hv::unexpected(impl_->closed ? Error::CLOSED : Error::NOT_CONNECTED);
    if (len > impl_->wr.size())
        return hv::unexpected(Error::INVALID_ARGUMENT);
    if (peer_exited())
        return hv::unexpected(Error::CLOSED);
    if (buffer_space() < len) {
        request_notify(NOTIFY_READ);
        return hv::unexpected(impl_->closed ? Error::CLOSED : Error::WOULD_BLOCK);
    }
    HV_TRY(write(buf, len));
    return {};
}

hv::Result<uint32_t, Error> Vchan::share_memory(int memfd)
{
    if (impl_->link)
        return hv::unexpected(Error::INVALID_ARGUMENT); // grant transport: not done yet
    if (impl_->closed)
        return hv::unexpected(Error::CLOSED);
    if (impl_->conn_fd < 0)
        return hv::unexpected(Error::NOT_CONNECTED);
    uint32_t const handle = ++impl_->next_handle;
    HV_TRY(socket::send(impl_->conn_fd, socket::MEMORY, handle, memfd));
    return handle;
}

hv::Result<int, Error> Vchan::take_memory(uint32_t handle)
{
    auto it = impl_->received.find(handle);
    if (it == impl_->received.end())
        return hv::unexpected(Error::BAD_MEMORY);
    int const fd = it->second;
    impl_->received.erase(it);
    return fd;
}

} // namespace dom::vchan
