// SPDX-License-Identifier: MIT
// Agent session: handshake, dispatch and the per-message rules (docs/gui-protocol.md).
#include "ward/gui/session.hpp"

#include <QDebug>
#include <QTimer>
#include <algorithm>

#include "ward/gui/compositor.hpp"
#include "ward/gui/encoder.hpp"
#include "ward/gui/title.hpp"

namespace gvm
{

using namespace proto;

namespace
{

hv::Result<void, QString> fail(QString const &why)
{
    return hv::unexpected(why);
}

} // namespace

Session::Session(Compositor &c, Domain_spec spec, Label_info label, dom::vchan::Vchan::Ptr chan,
                 Session_limits limits)
    : comp_{c}, spec_{std::move(spec)}, label_{std::move(label)}, chan_{std::move(chan)},
      limits_{limits}
{
    pump_scheduled_ = true;
    QTimer::singleShot(0, this, [this] {
        pump_scheduled_ = false;
        pump();
    });
}

Session::~Session() = default;

Window *Session::window(uint32_t id)
{
    auto it = windows_.find(id);
    return it == windows_.end() ? nullptr : &it->second;
}

void Session::disconnect(QString const &reason)
{
    if (phase_ == Phase::DISCONNECTED)
        return;
    if (!comp_.exiting())
        qWarning().noquote() << "ward-guid: disconnecting" << spec_.name << ":" << reason;
    phase_ = Phase::DISCONNECTED;
    reason_ = reason;
    notifier_.reset();
    for (auto &[id, w] : windows_)
        comp_.window_gone(*this, w);
    windows_.clear();
    chan_.reset(); // marks our side closed and tells the agent
    comp_.session_gone(*this, reason);
}

void Session::send(std::vector<uint8_t> const &bytes)
{
    if (phase_ == Phase::DISCONNECTED)
        return;
    if (outbox_.size() + bytes.size() > limits_.max_outbox) {
        disconnect(QStringLiteral("agent does not read its input"));
        return;
    }
    outbox_.insert(outbox_.end(), bytes.begin(), bytes.end());
    flush();
}

void Session::flush()
{
    if (outbox_.empty() || !chan_ || chan_->state() != dom::vchan::State::CONNECTED)
        return;
    auto n = chan_->write(outbox_.data(), outbox_.size());
    if (!n) {
        disconnect(QStringLiteral("vchan: %1").arg(QLatin1String(to_string(n.error()))));
        return;
    }
    outbox_.erase(outbox_.begin(), outbox_.begin() + static_cast<long>(*n));
}

void Session::pump()
{
    if (phase_ == Phase::DISCONNECTED)
        return;
    if (auto r = chan_->process_events(); !r) {
        disconnect(QStringLiteral("vchan: %1").arg(QLatin1String(to_string(r.error()))));
        return;
    }
    if (chan_->fd() != notifier_fd_) { // a channel's descriptor changes once, on connection
        notifier_fd_ = chan_->fd();
        notifier_ = std::make_unique<QSocketNotifier>(notifier_fd_, QSocketNotifier::Read);
        QObject::connect(notifier_.get(), &QSocketNotifier::activated, this, [this] { pump(); });
    }
    flush();
    if (phase_ == Phase::AWAIT_VERSION) {
        if (auto r = handshake(); !r) {
            disconnect(r.error());
            return;
        }
        if (phase_ == Phase::AWAIT_VERSION)
            return;
    }
    std::size_t budget = limits_.messages_per_turn;
    uint8_t buf[65536];
    while (phase_ == Phase::RUNNING && budget > 0) {
        auto m = parser_.next();
        if (!m) {
            disconnect(
                QStringLiteral("protocol violation: %1").arg(QLatin1String(to_string(m.error()))));
            return;
        }
        if (*m) {
            --budget;
            ++handled_;
            if (auto r = handle(**m); !r) {
                disconnect(QStringLiteral("protocol violation: %1").arg(r.error()));
                return;
            }
            continue;
        }
        if (chan_->data_ready() == 0)
            break;
        auto n = chan_->read(buf, sizeof buf);
        if (!n) {
            disconnect(QStringLiteral("vchan: %1").arg(QLatin1String(to_string(n.error()))));
            return;
        }
        parser_.feed({buf, *n});
    }
    // Out of budget with work left: continue on a later turn so other domains get theirs.
    if (phase_ == Phase::RUNNING && (budget == 0 || chan_->data_ready() > 0) && !pump_scheduled_) {
        pump_scheduled_ = true;
        QTimer::singleShot(0, this, [this] {
            pump_scheduled_ = false;
            pump();
        });
    }
}

hv::Result<void, QString> Session::handshake()
{
    if (chan_->state() != dom::vchan::State::CONNECTED || chan_->data_ready() < sizeof(uint32_t))
        return {};
    uint32_t agent_version = 0;
    if (!chan_->recv(&agent_version, sizeof agent_version))
        return fail(QStringLiteral("handshake read failed"));
    auto const v = negotiate(agent_version);
    if (!v)
        return fail(QStringLiteral("agent speaks protocol %1.%2, daemon %3.%4")
                        .arg(agent_version >> 16)
                        .arg(agent_version & 0xffff)
                        .arg(VERSION_MAJOR)
                        .arg(VERSION_MINOR));
    QSize const s = comp_.config().layout.screen;
    Xconf const xc{static_cast<uint32_t>(s.width()), static_cast<uint32_t>(s.height()), 24,
                   static_cast<uint32_t>(s.width() * s.height() * 4 / 1024 + 1)};
    std::vector<uint8_t> hello(sizeof(uint32_t) + sizeof xc);
    uint32_t const nv = *v;
    std::memcpy(hello.data(), &nv, sizeof nv);
    std::memcpy(hello.data() + sizeof nv, &xc, sizeof xc);
    phase_ = Phase::RUNNING;
    send(hello);
    return {};
}

hv::Result<void, QString> Session::handle(Message &m)
{
    if (m.type == Type::CLIPBOARD_DATA) {
        auto const &d = std::get<Clipboard>(m.body).data;
        comp_.clipboard_data(*this, QByteArray(reinterpret_cast<char const *>(d.data()),
                                               static_cast<qsizetype>(d.size())));
        return {};
    }
    if (m.type == Type::CREATE)
        return on_create(m.window, std::get<Create_body>(m.body));
    Window *w = window(m.window);
    if (!w) // another domain's window and a stale one look the same: not this agent's
        return fail(QStringLiteral("%1 for unknown window 0x%2")
                        .arg(QLatin1String(to_string(m.type)))
                        .arg(m.window, 0, 16));
    switch (m.type) {
    case Type::DESTROY: return on_destroy(*w);
    case Type::MAP: return on_map(*w, std::get<Map_body>(m.body));
    case Type::UNMAP:
        if (w->mapped) {
            comp_.window_gone(*this, *w);
            w->mapped = false;
        }
        return {};
    case Type::CONFIGURE: return on_configure(*w, std::get<Configure_body>(m.body));
    case Type::DAMAGE: return on_damage(*w, std::get<Damage_body>(m.body));
    case Type::TITLE: return on_title(*w, std::get<Title_body>(m.body));
    case Type::FLAGS: return on_flags(*w, std::get<Flags_body>(m.body));
    case Type::WINDOW_DUMP: return on_dump(*w, std::get<Window_dump>(m.body));
    case Type::HINTS:   // size hints are advisory; placement rules already bound the size
    case Type::WMCLASS: // not shown anywhere
    case Type::CURSOR:  // range-checked by the parser; the daemon draws its own pointer
        return {};
    default: return fail(QStringLiteral("unexpected message"));
    }
}

hv::Result<void, QString> Session::on_create(uint32_t id, Create_body const &b)
{
    if (id == 0)
        return fail(QStringLiteral("window 0 is reserved"));
    if (windows_.count(id))
        return fail(QStringLiteral("CREATE for existing window 0x%1").arg(id, 0, 16));
    if (windows_.size() >= limits_.max_windows)
        return fail(QStringLiteral("more than %1 windows").arg(limits_.max_windows));
    if (b.parent != 0)
        return fail(QStringLiteral("sub-windows are not allowed"));
    Placement const p =
        place_window(comp_.config().layout, b.x, b.y, b.width, b.height, b.override_redirect != 0);
    Window &w = windows_[id];
    w.id = id;
    w.client = p.client;
    w.override_redirect = p.override_redirect;
    return {};
}

hv::Result<void, QString> Session::on_destroy(Window &w)
{
    uint32_t const id = w.id;
    comp_.window_gone(*this, w);
    windows_.erase(id);
    send(encode_empty(Type::DESTROY, id)); // acknowledgement: the agent may reuse the id
    return {};
}

hv::Result<void, QString> Session::on_map(Window &w, Map_body const &b)
{
    if (b.transient_for != 0 && !window(b.transient_for))
        w.transient_for = 0; // only ever one of the agent's own windows
    else
        w.transient_for = b.transient_for;
    // override_redirect may change only while unmapped (it decides the placement rules).
    if (!w.mapped) {
        Placement const p =
            place_window(comp_.config().layout, w.client.x(), w.client.y(),
                         static_cast<uint32_t>(w.client.width()),
                         static_cast<uint32_t>(w.client.height()), b.override_redirect != 0);
        w.client = p.client;
        w.override_redirect = p.override_redirect;
    }
    w.mapped = true;
    w.stacking = comp_.next_stacking(); // on top, but never focused: only the user gives focus
    comp_.damage(comp_.config().layout.outer(w.client));
    return {};
}

hv::Result<void, QString> Session::on_configure(Window &w, Configure_body const &b)
{
    // The flag in CONFIGURE is ignored: only CREATE and MAP set override_redirect.
    Placement const p =
        place_window(comp_.config().layout, b.x, b.y, b.width, b.height, w.override_redirect);
    QRect const old = w.client;
    w.client = p.client;
    w.override_redirect = p.override_redirect;
    if (w.mapped) {
        comp_.damage(comp_.config().layout.outer(old));
        comp_.damage(comp_.config().layout.outer(w.client));
    }
    // Tell the agent the geometry it actually got.
    send(encode(Type::CONFIGURE, w.id,
                Configure_body{w.client.x(), w.client.y(), static_cast<uint32_t>(w.client.width()),
                               static_cast<uint32_t>(w.client.height()),
                               w.override_redirect ? 1u : 0u}));
    return {};
}

hv::Result<void, QString> Session::on_damage(Window &w, Damage_body const &b)
{
    if (!w.mapped)
        return {};
    // Window-relative rectangle, clipped to the window (so never onto the frame) in 64 bits.
    int64_t const x0 = std::clamp<int64_t>(b.x, 0, w.client.width());
    int64_t const y0 = std::clamp<int64_t>(b.y, 0, w.client.height());
    int64_t const x1 = std::clamp<int64_t>(int64_t{b.x} + b.width, 0, w.client.width());
    int64_t const y1 = std::clamp<int64_t>(int64_t{b.y} + b.height, 0, w.client.height());
    if (x1 > x0 && y1 > y0)
        comp_.damage(QRect(static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0),
                           static_cast<int>(y1 - y0))
                         .translated(w.client.topLeft()));
    return {};
}

hv::Result<void, QString> Session::on_title(Window &w, Title_body const &b)
{
    w.title = sanitize_title({b.data, sizeof b.data});
    if (w.mapped)
        comp_.damage(comp_.config().layout.outer(w.client));
    return {};
}

hv::Result<void, QString> Session::on_flags(Window &w, Flags_body const &b)
{
    // FULLSCREEN is never granted (a guest could hide the panel); MINIMIZE is not supported.
    if (b.flags_set & FLAG_DEMANDS_ATTENTION)
        w.demands_attention = true;
    if (b.flags_unset & FLAG_DEMANDS_ATTENTION)
        w.demands_attention = false;
    if (w.mapped)
        comp_.damage(comp_.config().layout.outer(w.client));
    return {};
}

hv::Result<void, QString> Session::on_dump(Window &w, Window_dump const &d)
{
    if (d.hdr.type != DUMP_TYPE_MEMFD)
        return fail(QStringLiteral("grant-ref buffers need the grant transport"));
    auto fd = chan_->take_memory(d.handle);
    if (!fd) {
        // The agent sends the memfd datagram before the ring write naming it, but pump() may
        // have taken datagrams before that write landed: take what has arrived since, once.
        if (chan_->process_events())
            fd = chan_->take_memory(d.handle);
    }
    if (!fd)
        return fail(QStringLiteral("WINDOW_DUMP names no shared buffer %1").arg(d.handle));
    auto buf = Shared_buffer::map(*fd, d.hdr.width, d.hdr.height);
    if (!buf)
        return fail(QStringLiteral("WINDOW_DUMP: %1").arg(QLatin1String(to_string(buf.error()))));
    w.buffer = std::move(*buf);
    if (w.mapped)
        comp_.damage(w.client);
    send(encode_empty(Type::WINDOW_DUMP_ACK, w.id));
    return {};
}

} // namespace gvm
