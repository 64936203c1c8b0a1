// SPDX-License-Identifier: MIT
// ward-gui-agent's pure parts (no X, no I/O): title decoding, checks and coordinate mapping of the
// input the daemon sends, modifier and held-key reconciliation. Unit-tested in tests/unit/guivm.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/gui/wire.hpp"

namespace gvm::x11
{

// ISO 8859-1 (the X STRING type) to UTF-8.
std::string latin1_to_utf8(std::string_view s);

// A TITLE body from UTF-8 text: cut at the first NUL, at most 127 bytes and never in the middle
// of a UTF-8 sequence; always NUL-terminated. (The daemon sanitizes again: it trusts nothing.)
proto::Title_body title_body(std::string_view utf8);

// Window geometry as the agent knows it from X (root coordinates).
struct Rect
{
    int32_t x = 0, y = 0;
    uint32_t w = 0, h = 0;
};

// Clips a window-relative rectangle to a window of w x h; nullopt when nothing is left.
std::optional<Rect> clip_to_window(Rect r, uint32_t w, uint32_t h);

// Grows `acc` (possibly empty, w == 0) to cover `r`.
Rect unite(Rect acc, Rect r);

// The buffer size of a window: its X size clamped to 1 .. the protocol's maximum.
Rect buffer_size(uint32_t w, uint32_t h);

// A daemon position inside a window, mapped to root coordinates for XTest: window-relative
// coordinates are clamped into the window first, so injected pointer events never land outside
// the window the daemon named.
struct Point
{
    int32_t x = 0, y = 0;
};
Point to_root(Rect const &window, int32_t x, int32_t y);

// Input checks on what the daemon sends (trusted, but checked anyway).
inline constexpr bool valid_keycode(uint32_t kc)
{
    return kc >= 8 && kc <= 255;
}
inline constexpr bool valid_button(uint32_t b)
{
    return b >= 1 && b <= 15;
}
// X core modifier bits: Shift, Lock, Control, Mod1..Mod5.
inline constexpr uint32_t MODIFIER_MASK = 0xff;

// For each of the 8 X modifiers (Shift=0 .. Mod5=7) whose state differs between what the daemon
// says (`wanted`) and what the X server has (`current`): the modifier index and whether it must be
// pressed (true) or released (false). Lock is toggled by press+release and reported as press.
struct Modifier_change
{
    int index;
    bool press;
};
std::vector<Modifier_change> modifier_changes(uint32_t wanted, uint32_t current);

// Keys the X server holds down that the daemon's KEYMAP_NOTIFY says are not held (they were
// released while another domain had focus): they must be released in X. Keycodes < 8 are ignored.
std::vector<uint8_t> keys_to_release(std::array<uint8_t, 32> const &x_keys,
                                     proto::Keymap_body const &daemon_keys);

} // namespace gvm::x11
