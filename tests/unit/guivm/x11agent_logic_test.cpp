// SPDX-License-Identifier: MIT
// ward-gui-agent's pure parts: title decoding, damage clipping, coordinate mapping, input checks,
// modifier and held-key reconciliation.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ward/gui/x11agent_logic.hpp"

using namespace gvm;
using namespace gvm::x11;

namespace
{
std::string text(proto::Title_body const &b)
{
    return std::string(b.data, ::strnlen(b.data, sizeof b.data));
}
} // namespace

TEST(X11AgentTitle, Latin1BecomesUtf8)
{
    EXPECT_EQ(latin1_to_utf8("abc"), "abc");
    EXPECT_EQ(latin1_to_utf8("caf\xe9"), "caf\xc3\xa9");
    EXPECT_EQ(latin1_to_utf8("\xff\x80"), "\xc3\xbf\xc2\x80");
}

TEST(X11AgentTitle, ShortTitleCopiedAndTerminated)
{
    auto b = title_body("Farbtest \xe2\x9c\x93");
    EXPECT_EQ(text(b), "Farbtest \xe2\x9c\x93");
    EXPECT_EQ(b.data[proto::TITLE_LEN - 1], '\0');
}

TEST(X11AgentTitle, CutAtFirstNul)
{
    std::string const s("abc\0def", 7);
    EXPECT_EQ(text(title_body(s)), "abc");
}

TEST(X11AgentTitle, LongAsciiCutAt127)
{
    auto b = title_body(std::string(500, 'x'));
    EXPECT_EQ(text(b), std::string(127, 'x'));
    EXPECT_EQ(b.data[127], '\0');
}

TEST(X11AgentTitle, LongUtf8NeverCutInsideASequence)
{
    // 126 ASCII bytes, then a 3-byte character that would straddle byte 127.
    std::string const s = std::string(126, 'a') + "\xe2\x9c\x93" + "tail";
    EXPECT_EQ(text(title_body(s)), std::string(126, 'a'));
    // 124 + 3 = 127 exactly: kept whole.
    std::string const t = std::string(124, 'a') + "\xe2\x9c\x93" + "tail";
    EXPECT_EQ(text(title_body(t)), std::string(124, 'a') + "\xe2\x9c\x93");
}

TEST(X11AgentGeometry, ClipToWindow)
{
    auto r = clip_to_window({-10, -5, 30, 20}, 100, 50);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->x, 0);
    EXPECT_EQ(r->y, 0);
    EXPECT_EQ(r->w, 20u);
    EXPECT_EQ(r->h, 15u);
    auto e = clip_to_window({90, 40, 0xffffffffu, 0xffffffffu}, 100, 50);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->w, 10u);
    EXPECT_EQ(e->h, 10u);
    EXPECT_FALSE(clip_to_window({100, 0, 5, 5}, 100, 50));
    EXPECT_FALSE(clip_to_window({0, 0, 0, 5}, 100, 50));
    EXPECT_FALSE(clip_to_window({INT32_MIN, INT32_MIN, 10, 10}, 100, 50));
}

TEST(X11AgentGeometry, Unite)
{
    Rect const a = unite({}, {5, 5, 10, 10});
    EXPECT_EQ(a.x, 5);
    EXPECT_EQ(a.w, 10u);
    Rect const b = unite(a, {0, 12, 3, 10});
    EXPECT_EQ(b.x, 0);
    EXPECT_EQ(b.y, 5);
    EXPECT_EQ(b.w, 15u);
    EXPECT_EQ(b.h, 17u);
    Rect const c = unite(b, {});
    EXPECT_EQ(c.w, b.w);
}

TEST(X11AgentGeometry, BufferSizeClamped)
{
    Rect const z = buffer_size(0, 0);
    EXPECT_EQ(z.w, 1u);
    EXPECT_EQ(z.h, 1u);
    Rect const big = buffer_size(100000, 100000);
    EXPECT_EQ(big.w, proto::MAX_WINDOW_WIDTH);
    EXPECT_EQ(big.h, proto::MAX_WINDOW_HEIGHT);
}

TEST(X11AgentInput, WindowToRootClampsIntoTheWindow)
{
    Rect const w{50, 60, 200, 150};
    Point p = to_root(w, 20, 30);
    EXPECT_EQ(p.x, 70);
    EXPECT_EQ(p.y, 90);
    p = to_root(w, -100, -100); // outside: clamped to the window's corner
    EXPECT_EQ(p.x, 50);
    EXPECT_EQ(p.y, 60);
    p = to_root(w, 5000, INT32_MAX);
    EXPECT_EQ(p.x, 249);
    EXPECT_EQ(p.y, 209);
    p = to_root({INT32_MAX - 5, 0, 100, 1}, 99, 0); // no overflow
    EXPECT_EQ(p.x, INT32_MAX);
}

TEST(X11AgentInput, KeycodeAndButtonChecks)
{
    EXPECT_FALSE(valid_keycode(0));
    EXPECT_FALSE(valid_keycode(7));
    EXPECT_TRUE(valid_keycode(8));
    EXPECT_TRUE(valid_keycode(38)); // 'a' (evdev 30 + 8)
    EXPECT_TRUE(valid_keycode(255));
    EXPECT_FALSE(valid_keycode(256));
    EXPECT_FALSE(valid_keycode(0xffffffffu));
    EXPECT_FALSE(valid_button(0));
    EXPECT_TRUE(valid_button(1));
    EXPECT_TRUE(valid_button(5));
    EXPECT_FALSE(valid_button(16));
}

TEST(X11AgentInput, ModifierChanges)
{
    EXPECT_TRUE(modifier_changes(0, 0).empty());
    EXPECT_TRUE(modifier_changes(0x5, 0x5).empty());
    auto c = modifier_changes(0x1 /*Shift*/, 0x4 /*Control*/);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].index, 0);
    EXPECT_TRUE(c[0].press);
    EXPECT_EQ(c[1].index, 2);
    EXPECT_FALSE(c[1].press);
    auto l = modifier_changes(0, 0x2); // Lock on in X, off for the daemon: toggled
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].index, 1);
    EXPECT_TRUE(l[0].press);
    EXPECT_TRUE(modifier_changes(0xff00, 0).empty()); // bits above Mod5 are not modifiers
}

TEST(X11AgentInput, KeysToRelease)
{
    std::array<uint8_t, 32> x{};
    proto::Keymap_body d{};
    x[38 / 8] |= 1u << (38 % 8); // 'a' held in X
    x[50 / 8] |= 1u << (50 % 8); // Shift_L held in X
    x[0] |= 0x7f;                // keycodes 0..6: not keys
    d.keys[50 / 8] |= 1u << (50 % 8);
    auto r = keys_to_release(x, d);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], 38);
}
