// SPDX-License-Identifier: MIT
// Where guest windows may be: the screen minus the trusted panel, with room for the daemon's
// frame. Pure geometry, no Qt widgets.
#pragma once

#include <QRect>
#include <QSize>
#include <cstdint>

namespace gvm
{

struct Screen_layout
{
    QSize screen{1280, 800};
    int panel_height = 24; // the trusted panel along the top edge
    int border = 4;        // frame width in the coalition colour
    int title_height = 22; // title bar in the coalition colour
    int menu_percent = 90; // override-redirect windows may cover at most this much of the screen

    QRect work_area() const
    {
        return {0, panel_height, screen.width(), screen.height() - panel_height};
    }
    // The frame around a client rectangle.
    QRect outer(QRect client) const
    {
        return client.adjusted(-border, -border - title_height, border, border);
    }
    QRect title_bar(QRect client) const
    {
        return {client.x(), client.y() - title_height, client.width(), title_height};
    }
};

struct Placement
{
    QRect client;
    bool override_redirect;
};

// Clamps a requested client rectangle: at least 1x1, no larger than the work area minus the
// frame, moved so that the frame lies inside the work area. An override-redirect window (menu,
// popup) larger than menu_percent of the screen loses the flag and is treated as a normal window.
Placement place_window(Screen_layout const &l, int32_t x, int32_t y, uint32_t w, uint32_t h,
                       bool override_redirect);

} // namespace gvm
