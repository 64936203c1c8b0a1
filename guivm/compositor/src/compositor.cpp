// SPDX-License-Identifier: MIT
// Sessions, focus, input routing and the secure clipboard (rendering is in render.cpp).
#include "ward/gui/compositor.hpp"

#include <QDebug>

#include "ward/gui/encoder.hpp"
#include "ward/gui/title.hpp"

namespace gvm
{

using namespace proto;

namespace
{

uint32_t x11_state(Qt::KeyboardModifiers m)
{
    uint32_t s = 0;
    if (m & Qt::ShiftModifier)
        s |= 1;
    if (m & Qt::ControlModifier)
        s |= 4;
    if (m & Qt::AltModifier)
        s |= 8;
    if (m & Qt::MetaModifier)
        s |= 0x40;
    return s;
}

Qt::KeyboardModifiers const TRUSTED_MASK =
    Qt::ShiftModifier | Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier;

bool combo(Key_event const &e, int key, Qt::KeyboardModifiers mods)
{
    return e.key == key && (e.modifiers & TRUSTED_MASK) == mods;
}

} // namespace

Compositor::Compositor(Compositor_config config, Label_colours const &colours, Backend &backend)
    : config_{std::move(config)}, colours_{colours}, backend_{backend}, screen_{
                                                                            config_.layout.screen,
                                                                            QImage::Format_RGB32}
{
    if (config_.clipboard.max_bytes > MAX_CLIPBOARD)
        config_.clipboard.max_bytes = MAX_CLIPBOARD;
    frame_timer_.setSingleShot(true);
    frame_timer_.setInterval(0);
    connect(&frame_timer_, &QTimer::timeout, this, &Compositor::render);
    damage(QRect{QPoint{0, 0}, config_.layout.screen});
}

Compositor::~Compositor()
{
    // Sessions call back into us while closing; drop them before the rest goes.
    exiting_ = true;
    for (auto &s : sessions_)
        s->disconnect(QStringLiteral("daemon exiting"));
    sessions_.clear();
}

hv::Result<Session *, QString> Compositor::add_domain(Domain_spec const &spec,
                                                      dom::vchan::Vchan::Ptr chan)
{
    auto const info = colours_.lookup(spec.label);
    if (!info)
        return hv::unexpected(QStringLiteral("label '%1' of %2 has no colour in the policy")
                                  .arg(spec.label, spec.name));
    if (session(spec.name))
        return hv::unexpected(QStringLiteral("domain %1 is already connected").arg(spec.name));
    sessions_.push_back(
        std::make_unique<Session>(*this, spec, *info, std::move(chan), config_.limits));
    return sessions_.back().get();
}

hv::Result<Session *, QString> Compositor::connect_domain(Domain_spec const &spec,
                                                          dom::vchan::Endpoint const &ep)
{
    auto chan = dom::vchan::Vchan::client_init(ep);
    if (!chan)
        return hv::unexpected(QStringLiteral("%1: vchan %2: %3")
                                  .arg(spec.name, QString::fromStdString(ep.socket_path()),
                                       QLatin1String(to_string(chan.error()))));
    return add_domain(spec, std::move(*chan));
}

std::vector<Session *> Compositor::sessions() const
{
    std::vector<Session *> out;
    for (auto const &s : sessions_)
        if (s->phase() != Session::Phase::DISCONNECTED)
            out.push_back(s.get());
    return out;
}

Session *Compositor::session(QString const &name) const
{
    for (auto const &s : sessions_)
        if (s->name() == name && s->phase() != Session::Phase::DISCONNECTED)
            return s.get();
    return nullptr;
}

void Compositor::damage(QRect r)
{
    r = r.intersected(QRect{QPoint{0, 0}, config_.layout.screen});
    if (r.isEmpty())
        return;
    dirty_ += r;
    // A damage flood must not grow the region without bound: fall back to its bounding box.
    if (dirty_.rectCount() > 64)
        dirty_ = dirty_.boundingRect();
    schedule();
}

void Compositor::schedule()
{
    if (!frame_timer_.isActive())
        frame_timer_.start();
}

void Compositor::window_gone(Session &s, Window const &w)
{
    if (w.mapped)
        damage(config_.layout.outer(w.client));
    if (has_focus_ && focus_.session == &s && focus_.window == w.id) {
        has_focus_ = false; // focus is not handed to another window: only the user does that
        focus_ = {};
        damage(QRect{0, 0, config_.layout.screen.width(), config_.layout.panel_height});
    }
}

void Compositor::session_gone(Session &s, QString const &reason)
{
    if (copy_pending_ == &s)
        copy_pending_ = nullptr;
    if (paste_pending_.target == &s) {
        paste_pending_ = {};
        if (overlay_ == Overlay::PASTE_PROMPT)
            show_overlay(Overlay::NONE);
    }
    if (focus_.session == &s) {
        has_focus_ = false;
        focus_ = {};
    }
    notice_ = QStringLiteral("%1 disconnected: %2").arg(s.name(), reason);
    damage(QRect{QPoint{0, 0}, config_.layout.screen});
    emit domain_disconnected(s.name(), reason);
    QTimer::singleShot(0, this, &Compositor::purge);
}

void Compositor::purge()
{
    std::erase_if(sessions_,
                  [](auto const &s) { return s->phase() == Session::Phase::DISCONNECTED; });
}

std::optional<Focus> Compositor::focus() const
{
    if (!has_focus_)
        return std::nullopt;
    return focus_;
}

std::optional<Compositor::Hit> Compositor::focused() const
{
    if (!has_focus_)
        return std::nullopt;
    Window *w = focus_.session->window(focus_.window);
    if (!w || !w->mapped)
        return std::nullopt;
    return Hit{focus_.session, w};
}

std::optional<Compositor::Hit> Compositor::window_at(QPoint pos) const
{
    std::optional<Hit> best;
    uint64_t best_key = 0;
    for (auto const &s : sessions_) {
        if (s->phase() != Session::Phase::RUNNING)
            continue;
        for (auto const &[id, w] : s->windows()) {
            if (!w.mapped || !config_.layout.outer(w.client).contains(pos))
                continue;
            uint64_t const key = (w.override_redirect ? uint64_t{1} << 63 : 0) | w.stacking;
            if (!best || key > best_key) {
                best = Hit{s.get(), s->window(id)};
                best_key = key;
            }
        }
    }
    return best;
}

void Compositor::set_focus(Session *s, uint32_t window)
{
    if (has_focus_ && focus_.session == s && focus_.window == window)
        return;
    if (auto old = focused()) {
        old->session->send(encode(Type::FOCUS, old->window->id, Focus_body{FOCUS_OUT, 0, 0}));
        damage(config_.layout.outer(old->window->client));
    }
    has_focus_ = true;
    focus_ = {s, window};
    pointer_inside_focus_ = false;
    Window *w = s->window(window);
    // As in Qubes: the held-key map first, so the guest can resync modifiers, then FocusIn.
    Keymap_body km{};
    for (std::size_t k = 0; k < 256; ++k)
        if (keys_down_.test(k))
            km.keys[k / 8] |= static_cast<uint8_t>(1u << (k % 8));
    s->send(encode(Type::KEYMAP_NOTIFY, 0, km));
    s->send(encode(Type::FOCUS, window, Focus_body{FOCUS_IN, 0, 0}));
    if (w)
        damage(config_.layout.outer(w->client));
    damage(QRect{0, 0, config_.layout.screen.width(), config_.layout.panel_height});
}

void Compositor::key(Key_event const &e)
{
    if (e.keycode < 256)
        keys_down_.set(e.keycode, e.press);
    if (!e.press && e.keycode < 256 && swallowed_.test(e.keycode)) {
        swallowed_.reset(e.keycode);
        return; // the release of a trusted combination never reaches a guest either
    }
    auto swallow = [&] {
        if (e.keycode < 256)
            swallowed_.set(e.keycode);
    };
    // The secure attention key is checked first and can never be delivered to a guest.
    if (e.press && combo(e, Qt::Key_Delete, Qt::ControlModifier | Qt::AltModifier)) {
        swallow();
        show_overlay(overlay_ == Overlay::SECURE_ATTENTION ? Overlay::NONE
                                                           : Overlay::SECURE_ATTENTION);
        return;
    }
    if (overlay_ != Overlay::NONE) { // trusted overlays take every key
        if (!e.press)
            return;
        swallow();
        if (overlay_ == Overlay::PASTE_PROMPT &&
            (e.key == Qt::Key_Return || e.key == Qt::Key_Enter || e.key == Qt::Key_Escape))
            finish_paste(e.key != Qt::Key_Escape);
        else if (overlay_ == Overlay::SECURE_ATTENTION && e.key == Qt::Key_Escape)
            show_overlay(Overlay::NONE);
        return;
    }
    if (e.press && combo(e, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier)) {
        swallow();
        copy();
        return;
    }
    if (e.press && combo(e, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier)) {
        swallow();
        paste();
        return;
    }
    send_key(e);
}

void Compositor::send_key(Key_event const &e)
{
    auto f = focused();
    if (!f)
        return; // no focused window: the key goes nowhere
    QPoint const rel = pointer_ - f->window->client.topLeft();
    f->session->send(encode(Type::KEYPRESS, f->window->id,
                            Keypress_body{e.press ? KEY_PRESS : KEY_RELEASE, rel.x(), rel.y(),
                                          x11_state(e.modifiers), e.keycode}));
}

void Compositor::button(QPoint pos, uint32_t button, bool press, Qt::KeyboardModifiers mods)
{
    pointer_ = pos;
    if (overlay_ != Overlay::NONE)
        return;
    if (press) {
        auto hit = window_at(pos);
        if (!hit)
            return;
        // A click is the user's choice of focus, so it focuses and raises.
        set_focus(hit->session, hit->window->id);
        hit->window->stacking = next_stacking();
        damage(config_.layout.outer(hit->window->client));
    }
    auto f = focused();
    if (!f || !f->window->client.contains(pos))
        return; // clicks on the frame are the daemon's
    QPoint const rel = pos - f->window->client.topLeft();
    f->session->send(encode(Type::BUTTON, f->window->id,
                            Button_body{press ? BUTTON_PRESS : BUTTON_RELEASE, rel.x(), rel.y(),
                                        x11_state(mods), button}));
}

void Compositor::motion(QPoint pos, Qt::KeyboardModifiers mods)
{
    pointer_ = pos;
    auto f = focused();
    if (!f || overlay_ != Overlay::NONE)
        return;
    // Only the focused window sees the pointer, and only while it is over that window (and not
    // over something stacked above it).
    auto const top = window_at(pos);
    bool const inside = f->window->client.contains(pos) && top && top->window == f->window;
    QPoint const rel = pos - f->window->client.topLeft();
    if (inside != pointer_inside_focus_) {
        pointer_inside_focus_ = inside;
        f->session->send(
            encode(Type::CROSSING, f->window->id,
                   Crossing_body{inside ? ENTER_NOTIFY : LEAVE_NOTIFY, rel.x(), rel.y(),
                                 x11_state(mods), NOTIFY_NORMAL, NOTIFY_ANCESTOR, 1}));
    }
    if (inside)
        f->session->send(
            encode(Type::MOTION, f->window->id, Motion_body{rel.x(), rel.y(), x11_state(mods), 0}));
}

void Compositor::copy()
{
    auto f = focused();
    if (!f) {
        notice_ = QStringLiteral("copy: no focused window");
        return;
    }
    copy_pending_ = f->session;
    f->session->send(encode_empty(Type::CLIPBOARD_REQ, f->window->id));
}

void Compositor::clipboard_data(Session &s, QByteArray const &data)
{
    if (copy_pending_ != &s)
        return; // unsolicited: a guest cannot push into the clipboard
    copy_pending_ = nullptr;
    if (static_cast<uint32_t>(data.size()) > config_.clipboard.max_bytes) {
        notice_ = QStringLiteral("copy from %1 refused: %2 bytes exceed the limit of %3")
                      .arg(s.name())
                      .arg(data.size())
                      .arg(config_.clipboard.max_bytes);
    } else {
        clipboard_ = {data, s.name(), s.label().coalition};
        notice_ = QStringLiteral("copied %1 bytes from %2").arg(data.size()).arg(s.name());
    }
    damage(QRect{0, 0, config_.layout.screen.width(), config_.layout.panel_height});
}

void Compositor::paste()
{
    auto f = focused();
    if (!f || clipboard_.empty()) {
        notice_ = f ? QStringLiteral("paste: clipboard is empty")
                    : QStringLiteral("paste: no focused window");
        return;
    }
    paste_pending_ = {f->session, f->window->id};
    switch (
        paste_rule(config_.clipboard, clipboard_.source_coalition, f->session->label().coalition)) {
    case Paste_rule::ALLOW: finish_paste(true); break;
    case Paste_rule::DENY:
        paste_pending_ = {};
        notice_ = QStringLiteral("paste from %1 (%2) into %3 (%4) denied by policy")
                      .arg(clipboard_.source_domain, clipboard_.source_coalition,
                           f->session->name(), f->session->label().coalition);
        damage(QRect{0, 0, config_.layout.screen.width(), config_.layout.panel_height});
        break;
    case Paste_rule::ASK: show_overlay(Overlay::PASTE_PROMPT); break;
    }
}

void Compositor::finish_paste(bool accept)
{
    if (overlay_ == Overlay::PASTE_PROMPT)
        show_overlay(Overlay::NONE);
    Session *target = paste_pending_.target;
    paste_pending_ = {};
    if (!accept || !target) {
        notice_ = QStringLiteral("paste cancelled");
        return;
    }
    // Stale if the user moved focus meanwhile: the paste goes only where it was asked for.
    auto f = focused();
    if (!f || f->session != target)
        return;
    auto const *d = reinterpret_cast<uint8_t const *>(clipboard_.data.constData());
    target->send(encode_clipboard({d, static_cast<std::size_t>(clipboard_.data.size())}));
    notice_ = QStringLiteral("pasted %1 bytes from %2 into %3")
                  .arg(clipboard_.data.size())
                  .arg(clipboard_.source_domain, target->name());
    clipboard_ = {}; // one paste per copy, as in Qubes
    damage(QRect{0, 0, config_.layout.screen.width(), config_.layout.panel_height});
}

void Compositor::show_overlay(Overlay o)
{
    overlay_ = o;
    damage(QRect{QPoint{0, 0}, config_.layout.screen});
}

QString Compositor::overlay_text() const
{
    switch (overlay_) {
    case Overlay::NONE: return {};
    case Overlay::SECURE_ATTENTION: {
        auto f = focused();
        if (!f)
            return QStringLiteral("Ward: no domain has focus");
        return QStringLiteral("Ward: focus is on domain %1 (coalition %2), window %3")
            .arg(f->session->name(), f->session->label().coalition,
                 decorated_title(f->session->name(), f->window->title));
    }
    case Overlay::PASTE_PROMPT:
        return QStringLiteral("Paste %1 bytes from %2 (%3) into %4 (%5)? Enter = paste, Esc = "
                              "cancel")
            .arg(clipboard_.data.size())
            .arg(clipboard_.source_domain, clipboard_.source_coalition,
                 paste_pending_.target ? paste_pending_.target->name() : QString(),
                 paste_pending_.target ? paste_pending_.target->label().coalition : QString());
    }
    return {};
}

QString Compositor::panel_text() const
{
    QString t = QStringLiteral("Ward");
    if (auto f = focused())
        t += QStringLiteral("  |  focus: %1")
                 .arg(decorated_title(f->session->name(), f->window->title));
    if (!clipboard_.empty())
        t += QStringLiteral("  |  clipboard: %1 bytes from %2")
                 .arg(clipboard_.data.size())
                 .arg(clipboard_.source_domain);
    if (!notice_.isEmpty())
        t += QStringLiteral("  |  ") + notice_;
    return t;
}

} // namespace gvm
