// SPDX-License-Identifier: MIT
// Window placement rules (docs/gui-protocol.md, "Geometry").
#include "ward/gui/geometry.hpp"

#include <algorithm>

namespace gvm
{

Placement place_window(Screen_layout const &l, int32_t x, int32_t y, uint32_t w, uint32_t h,
                       bool override_redirect)
{
    QRect const work = l.work_area();
    int64_t const screen_area = int64_t{l.screen.width()} * l.screen.height();
    if (override_redirect && int64_t{w} * h * 100 > screen_area * l.menu_percent)
        override_redirect = false;
    int const max_w = std::max(1, work.width() - 2 * l.border);
    int const max_h = std::max(1, work.height() - 2 * l.border - l.title_height);
    int const cw = static_cast<int>(std::clamp<int64_t>(w, 1, max_w));
    int const ch = static_cast<int>(std::clamp<int64_t>(h, 1, max_h));
    int const min_x = work.left() + l.border;
    int const min_y = work.top() + l.border + l.title_height;
    int const max_x = work.right() + 1 - l.border - cw;
    int const max_y = work.bottom() + 1 - l.border - ch;
    int const cx = static_cast<int>(std::clamp<int64_t>(x, min_x, std::max(min_x, max_x)));
    int const cy = static_cast<int>(std::clamp<int64_t>(y, min_y, std::max(min_y, max_y)));
    return {QRect{cx, cy, cw, ch}, override_redirect};
}

} // namespace gvm
