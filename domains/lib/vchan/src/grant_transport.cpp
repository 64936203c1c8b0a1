// SPDX-License-Identifier: MIT
#include "grant_transport.hpp"

#include <optional>

#include "ward/vchan/grant_keys.hpp"
#include "ward/vchan/vchan.hpp"
#include "ward/xendev/devices.hpp"
#include "ward/xendev/gntalloc.hpp"
#include "ward/xendev/xenstore.hpp"

namespace dom::vchan::grant
{

struct Link::State
{
    Endpoint ep;
    std::string path;
    std::optional<xendev::Xenstore> xs;
    std::optional<xendev::Evtchn> evtchn;
    // Server side.
    std::optional<xendev::Gntalloc> alloc;
    xendev::Gntalloc::Grant granted;
    bool published = false;
    // Client side.
    std::optional<xendev::Gntdev> dev;
    xendev::Gntdev::Mapping control{};
    bool control_mapped = false;
    uint32_t control_ref = 0;
    std::vector<std::pair<xendev::Gntdev::Mapping, std::size_t>> rings;
};

namespace
{

// Keeps the reason of the last OS-level failure for last_error_detail().
template <typename T> hv::Result<T, Error> fail(Error e, std::string detail)
{
    set_error_detail(std::move(detail));
    return hv::unexpected(e);
}

} // namespace

Link::Link(std::unique_ptr<State> s) : s_{std::move(s)} {}

Link::~Link()
{
    unpublish();
    for (auto const &[m, n] : s_->rings)
        s_->dev->unmap_pages(m, n);
    if (s_->control_mapped)
        s_->dev->unmap(s_->control);
    if (s_->alloc)
        s_->alloc->release(s_->granted);
    // The evtchn fd closes last (its destructor), after the unmap notifications were sent.
}

hv::Result<std::unique_ptr<Link>, Error> Link::serve(Endpoint const &ep, std::size_t pages)
{
    auto s = std::make_unique<State>();
    s->ep = ep;
    s->path = store_path(ep);
    auto xs = xendev::Xenstore::open();
    if (!xs)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, xs.error());
    s->xs.emplace(std::move(*xs));
    auto alloc = xendev::Gntalloc::open();
    if (!alloc)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, alloc.error());
    s->alloc.emplace(std::move(*alloc));
    auto g = s->alloc->grant(static_cast<uint16_t>(ep.client_domain), pages);
    if (!g)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, g.error());
    s->granted = std::move(*g);
    auto ev = xendev::Evtchn::open();
    if (!ev)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, ev.error());
    s->evtchn.emplace(std::move(*ev));
    if (auto p = s->evtchn->bind_unbound_port(ep.client_domain); !p)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, p.error());
    return std::unique_ptr<Link>{new Link(std::move(s))};
}

hv::Result<void, Error> Link::publish()
{
    State &s = *s_;
    std::string const self = "n" + std::to_string(s.ep.server_domain);
    std::string const peer = "r" + std::to_string(s.ep.client_domain);
    // The channel's node first, readable by the client only, so that the keys created below it
    // inherit those permissions from the start.
    for (auto const &[key, value] : {std::pair<char const *, std::string>{nullptr, ""},
                                     {"ring-ref", std::to_string(s.granted.refs[0])},
                                     {"event-channel", std::to_string(s.evtchn->port())}}) {
        std::string const at = key ? s.path + "/" + key : s.path;
        auto w = key ? s.xs->write(at, value) : s.xs->mkdir(at);
        if (!w)
            return fail<void>(Error::SYSTEM, w.error());
        if (auto p = s.xs->set_perms(at, {self, peer}); !p)
            return fail<void>(Error::SYSTEM, p.error());
    }
    s.published = true;
    return {};
}

void Link::unpublish()
{
    if (s_->published && s_->xs)
        (void)s_->xs->rm(s_->path);
    s_->published = false;
}

hv::Result<std::unique_ptr<Link>, Error> Link::connect(Endpoint const &ep)
{
    auto s = std::make_unique<State>();
    s->ep = ep;
    s->path = store_path(ep);
    auto xs = xendev::Xenstore::open();
    if (!xs)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, xs.error());
    auto ref_text = xs->read(s->path + "/ring-ref");
    auto port_text = ref_text ? xs->read(s->path + "/event-channel") : ref_text;
    if (!ref_text || !port_text) {
        std::string const &why = ref_text ? port_text.error() : ref_text.error();
        // Not published yet reads as ENOENT, or as EACCES while the nearest existing ancestor
        // is the server's own: both mean "no channel for us (yet)".
        bool const absent =
            xendev::Xenstore::missing(why) || why.find("EACCES") != std::string::npos;
        return fail<std::unique_ptr<Link>>(absent ? Error::NOT_CONNECTED : Error::SYSTEM, why);
    }
    auto ref = parse_ring_ref(*ref_text);
    auto port = parse_event_channel(*port_text);
    if (!ref || !port)
        return fail<std::unique_ptr<Link>>(Error::PROTOCOL, "bad ring-ref '" + *ref_text +
                                                                "' or event-channel '" +
                                                                *port_text + "' in " + s->path);
    auto dev = xendev::Gntdev::open();
    if (!dev)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, dev.error());
    s->dev.emplace(std::move(*dev));
    auto m = s->dev->map(ep.server_domain, *ref);
    if (!m)
        return fail<std::unique_ptr<Link>>(
            Error::REFUSED, "control page (domain " + std::to_string(ep.server_domain) +
                                " grant ref " + std::to_string(*ref) + "): " + m.error());
    s->control = *m;
    s->control_mapped = true;
    s->control_ref = *ref;
    auto ev = xendev::Evtchn::open();
    if (!ev)
        return fail<std::unique_ptr<Link>>(Error::SYSTEM, ev.error());
    s->evtchn.emplace(std::move(*ev));
    if (auto p = s->evtchn->bind_interdomain(ep.server_domain, *port); !p)
        return fail<std::unique_ptr<Link>>(
            Error::REFUSED, "event channel (domain " + std::to_string(ep.server_domain) + " port " +
                                std::to_string(*port) + "): " + p.error());
    return std::unique_ptr<Link>{new Link(std::move(s))};
}

uint8_t *Link::pages() const
{
    return static_cast<uint8_t *>(s_->alloc ? s_->granted.addr : s_->control.addr);
}

uint32_t Link::ref(std::size_t page) const
{
    return s_->granted.refs.at(page);
}

uint32_t Link::control_ref() const
{
    return s_->alloc ? s_->granted.refs[0] : s_->control_ref;
}

hv::Result<uint8_t *, Error> Link::map_ring(std::vector<uint32_t> const &refs)
{
    auto m = s_->dev->map_pages(s_->ep.server_domain, refs);
    if (!m)
        return fail<uint8_t *>(Error::REFUSED, "ring pages of domain " +
                                                   std::to_string(s_->ep.server_domain) + ": " +
                                                   m.error());
    s_->rings.emplace_back(*m, refs.size());
    return static_cast<uint8_t *>(m->addr);
}

hv::Result<void, Error> Link::notify_on_unmap(uint32_t live_offset)
{
    auto r = s_->alloc ? s_->alloc->unmap_notify(s_->granted, live_offset, s_->evtchn->port())
                       : s_->dev->unmap_notify(s_->control, live_offset, s_->evtchn->port());
    if (!r)
        return fail<void>(Error::SYSTEM, r.error());
    return {};
}

int Link::fd() const
{
    return s_->evtchn->fd();
}

void Link::kick()
{
    (void)s_->evtchn->notify();
}

void Link::consume()
{
    (void)s_->evtchn->consume();
}

} // namespace dom::vchan::grant
