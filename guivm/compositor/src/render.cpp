// SPDX-License-Identifier: MIT
// Composition: guest contents inside daemon-drawn frames, then the trusted panel and overlays.
#include <QPainter>
#include <algorithm>

#include "ward/gui/compositor.hpp"
#include "ward/gui/title.hpp"

namespace gvm
{

namespace
{

QColor text_colour_on(QColor const &bg)
{
    return bg.lightness() > 140 ? Qt::black : Qt::white;
}

} // namespace

void Compositor::render()
{
    frame_timer_.stop();
    if (dirty_.isEmpty())
        return;
    QRegion const region = dirty_;
    dirty_ = QRegion{};
    {
        QPainter p{&screen_};
        p.setClipRegion(region);
        p.fillRect(screen_.rect(), config_.background);

        struct Item
        {
            Session const *s;
            Window const *w;
            uint64_t key;
        };
        std::vector<Item> items;
        for (auto const &s : sessions_) {
            if (s->phase() != Session::Phase::RUNNING)
                continue;
            for (auto const &[id, w] : s->windows())
                if (w.mapped && region.intersects(config_.layout.outer(w.client)))
                    items.push_back(
                        {s.get(), &w, (w.override_redirect ? uint64_t{1} << 63 : 0) | w.stacking});
        }
        std::sort(items.begin(), items.end(),
                  [](Item const &a, Item const &b) { return a.key < b.key; });
        auto const f = focused();
        for (auto const &it : items)
            draw_window(p, *it.s, *it.w, f && f->window == it.w);
        draw_panel(p);
        if (overlay_ != Overlay::NONE)
            draw_overlay(p);
    }
    ++frames_;
    backend_.present(screen_, region);
    emit presented();
}

void Compositor::draw_window(QPainter &p, Session const &s, Window const &w, bool focused)
{
    Screen_layout const &l = config_.layout;
    QColor const colour = s.label().colour;
    QRect const outer = l.outer(w.client);
    // The frame: everything of the outer rectangle that is not the client area.
    p.fillRect(QRect(outer.left(), outer.top(), outer.width(), l.border + l.title_height), colour);
    p.fillRect(QRect(outer.left(), w.client.top(), l.border, w.client.height() + l.border), colour);
    p.fillRect(QRect(w.client.right() + 1, w.client.top(), l.border, w.client.height() + l.border),
               colour);
    p.fillRect(QRect(w.client.left(), w.client.bottom() + 1, w.client.width(), l.border), colour);

    QRect const bar = l.title_bar(w.client);
    int text_left = bar.left() + 4;
    if (focused) { // the focus mark: only the daemon draws it, only on the focused window
        int const side = std::max(4, l.title_height / 2);
        p.fillRect(QRect(bar.left() + 4, bar.top() + (bar.height() - side) / 2, side, side),
                   FOCUS_MARK_COLOUR);
        text_left += side + 6;
    }
    if (w.demands_attention)
        p.fillRect(QRect(bar.right() - 10, bar.top() + 4, 6, bar.height() - 8), Qt::yellow);
    p.save();
    p.setClipRect(QRect(text_left, bar.top(), bar.right() - 14 - text_left, bar.height()),
                  Qt::IntersectClip);
    p.setPen(text_colour_on(colour));
    QFont font = p.font();
    font.setPixelSize(std::max(8, l.title_height - 8));
    font.setBold(focused);
    p.setFont(font);
    // Plain text layout; the sanitiser already removed every bidi control.
    p.drawText(QRect(text_left, bar.top(), 10000, bar.height()), Qt::AlignVCenter | Qt::AlignLeft,
               decorated_title(s.name(), w.title));
    p.restore();

    if (!w.buffer) {
        p.fillRect(w.client, Qt::black);
        return;
    }
    QImage const &img = w.buffer->image();
    int const cw = std::min(img.width(), w.client.width());
    int const ch = std::min(img.height(), w.client.height());
    p.drawImage(w.client.topLeft(), img, QRect(0, 0, cw, ch));
    if (cw < w.client.width())
        p.fillRect(QRect(w.client.left() + cw, w.client.top(), w.client.width() - cw, ch),
                   Qt::black);
    if (ch < w.client.height())
        p.fillRect(
            QRect(w.client.left(), w.client.top() + ch, w.client.width(), w.client.height() - ch),
            Qt::black);
}

void Compositor::draw_panel(QPainter &p)
{
    Screen_layout const &l = config_.layout;
    QRect const panel{0, 0, l.screen.width(), l.panel_height};
    p.fillRect(panel, QColor(0x10, 0x10, 0x10));
    p.setPen(Qt::white);
    QFont font = p.font();
    font.setPixelSize(std::max(8, l.panel_height - 10));
    p.setFont(font);
    p.drawText(panel.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft, panel_text());
}

void Compositor::draw_overlay(QPainter &p)
{
    QSize const s = config_.layout.screen;
    QRect const box{s.width() / 8, s.height() / 3, s.width() * 3 / 4, s.height() / 4};
    p.fillRect(box, QColor(0x10, 0x10, 0x10));
    QColor accent = Qt::white;
    if (auto f = focused(); f && overlay_ == Overlay::SECURE_ATTENTION)
        accent = f->session->label().colour;
    p.setPen(QPen(accent, 6));
    p.drawRect(box.adjusted(3, 3, -3, -3));
    p.setPen(Qt::white);
    QFont font = p.font();
    font.setPixelSize(18);
    p.setFont(font);
    p.drawText(box.adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap, overlay_text());
}

} // namespace gvm
