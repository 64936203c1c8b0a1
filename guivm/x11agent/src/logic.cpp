// SPDX-License-Identifier: MIT
#include "ward/gui/x11agent_logic.hpp"

#include <algorithm>
#include <cstring>

namespace gvm::x11
{

std::string latin1_to_utf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size() * 2);
    for (unsigned char c : s) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(0xc0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
        }
    }
    return out;
}

proto::Title_body title_body(std::string_view utf8)
{
    proto::Title_body b{};
    if (auto nul = utf8.find('\0'); nul != std::string_view::npos)
        utf8 = utf8.substr(0, nul);
    std::size_t n = std::min<std::size_t>(utf8.size(), proto::TITLE_LEN - 1);
    if (n < utf8.size()) // cut: step back over continuation bytes to a sequence start
        while (n > 0 && (static_cast<unsigned char>(utf8[n]) & 0xc0) == 0x80)
            --n;
    std::memcpy(b.data, utf8.data(), n);
    return b;
}

std::optional<Rect> clip_to_window(Rect r, uint32_t w, uint32_t h)
{
    int64_t const x0 = std::max<int64_t>(r.x, 0), y0 = std::max<int64_t>(r.y, 0);
    int64_t const x1 = std::min<int64_t>(int64_t{r.x} + r.w, w);
    int64_t const y1 = std::min<int64_t>(int64_t{r.y} + r.h, h);
    if (x1 <= x0 || y1 <= y0)
        return std::nullopt;
    return Rect{static_cast<int32_t>(x0), static_cast<int32_t>(y0), static_cast<uint32_t>(x1 - x0),
                static_cast<uint32_t>(y1 - y0)};
}

Rect unite(Rect acc, Rect r)
{
    if (acc.w == 0 || acc.h == 0)
        return r;
    if (r.w == 0 || r.h == 0)
        return acc;
    int64_t const x0 = std::min(acc.x, r.x), y0 = std::min(acc.y, r.y);
    int64_t const x1 = std::max(int64_t{acc.x} + acc.w, int64_t{r.x} + r.w);
    int64_t const y1 = std::max(int64_t{acc.y} + acc.h, int64_t{r.y} + r.h);
    return Rect{static_cast<int32_t>(x0), static_cast<int32_t>(y0), static_cast<uint32_t>(x1 - x0),
                static_cast<uint32_t>(y1 - y0)};
}

Rect buffer_size(uint32_t w, uint32_t h)
{
    return Rect{0, 0, std::clamp<uint32_t>(w, 1, proto::MAX_WINDOW_WIDTH),
                std::clamp<uint32_t>(h, 1, proto::MAX_WINDOW_HEIGHT)};
}

Point to_root(Rect const &window, int32_t x, int32_t y)
{
    int64_t const cx = std::clamp<int64_t>(x, 0, std::max<int64_t>(int64_t{window.w} - 1, 0));
    int64_t const cy = std::clamp<int64_t>(y, 0, std::max<int64_t>(int64_t{window.h} - 1, 0));
    auto sat = [](int64_t v) {
        return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
    };
    return Point{sat(window.x + cx), sat(window.y + cy)};
}

std::vector<Modifier_change> modifier_changes(uint32_t wanted, uint32_t current)
{
    std::vector<Modifier_change> out;
    for (int i = 0; i < 8; ++i) {
        bool const want = wanted & (1u << i), have = current & (1u << i);
        if (want == have)
            continue;
        out.push_back({i, i == 1 ? true : want}); // Lock toggles: press (and release) flips it
    }
    return out;
}

std::vector<uint8_t> keys_to_release(std::array<uint8_t, 32> const &x_keys,
                                     proto::Keymap_body const &daemon_keys)
{
    std::vector<uint8_t> out;
    for (unsigned kc = 8; kc < 256; ++kc) {
        bool const held_x = x_keys[kc / 8] & (1u << (kc % 8));
        bool const held_d = daemon_keys.keys[kc / 8] & (1u << (kc % 8));
        if (held_x && !held_d)
            out.push_back(static_cast<uint8_t>(kc));
    }
    return out;
}

} // namespace gvm::x11
