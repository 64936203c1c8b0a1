// SPDX-License-Identifier: MIT
// Ward GUI protocol 1.0 wire layouts (docs/gui-protocol.md). Modelled on the Qubes GUI protocol
// 1.8: same header, message numbers and body layouts; native-endian 4-byte fields, no padding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gvm::proto
{

inline constexpr uint32_t VERSION_MAJOR = 1;
inline constexpr uint32_t VERSION_MINOR = 0;
inline constexpr uint32_t VERSION = VERSION_MAJOR << 16 | VERSION_MINOR;

// Port of the GUI vchan (the agent is the vchan server, the daemon the client).
inline constexpr unsigned VCHAN_PORT = 6000;

enum class Type : uint32_t
{
    KEYPRESS = 124,
    BUTTON = 125,
    MOTION = 126,
    CROSSING = 127,
    FOCUS = 128,
    CREATE = 130,
    DESTROY = 131,
    MAP = 132,
    UNMAP = 133,
    CONFIGURE = 134,
    DAMAGE = 136, // Qubes MSG_SHMIMAGE
    CLOSE = 137,
    CLIPBOARD_REQ = 139,
    CLIPBOARD_DATA = 140,
    TITLE = 141, // Qubes MSG_WMNAME
    KEYMAP_NOTIFY = 142,
    HINTS = 144,
    FLAGS = 145,
    WMCLASS = 146,
    WINDOW_DUMP = 147,
    CURSOR = 148,
    WINDOW_DUMP_ACK = 149,
};

struct Header
{
    uint32_t type;
    uint32_t window;
    uint32_t untrusted_len;
};

// Sent once by the daemon after the version exchange: the screen the agent may use.
struct Xconf
{
    uint32_t w, h, depth, mem;
};

// Agent -> daemon bodies.
struct Create_body
{
    int32_t x, y;
    uint32_t width, height, parent, override_redirect;
};
struct Map_body
{
    uint32_t transient_for, override_redirect;
};
struct Configure_body
{
    int32_t x, y;
    uint32_t width, height, override_redirect;
};
struct Damage_body
{
    int32_t x, y;
    uint32_t width, height;
};
inline constexpr std::size_t TITLE_LEN = 128;
struct Title_body
{
    char data[TITLE_LEN];
};
struct Hints_body
{
    uint32_t flags, min_width, min_height, max_width, max_height, width_inc, height_inc, base_width,
        base_height;
};
struct Flags_body
{
    uint32_t flags_set, flags_unset;
};
inline constexpr std::size_t WMCLASS_LEN = 64;
struct Wmclass_body
{
    char res_class[WMCLASS_LEN];
    char res_name[WMCLASS_LEN];
};
struct Window_dump_header
{
    uint32_t type, width, height, bpp;
};
struct Cursor_body
{
    uint32_t cursor;
};

// Daemon -> agent bodies.
struct Keypress_body
{
    uint32_t type;
    int32_t x, y;
    uint32_t state, keycode;
};
struct Button_body
{
    uint32_t type;
    int32_t x, y;
    uint32_t state, button;
};
struct Motion_body
{
    int32_t x, y;
    uint32_t state, is_hint;
};
struct Crossing_body
{
    uint32_t type;
    int32_t x, y;
    uint32_t state, mode, detail, focus;
};
struct Focus_body
{
    uint32_t type, mode, detail;
};
struct Keymap_body
{
    uint8_t keys[32];
};

static_assert(sizeof(Header) == 12);
static_assert(sizeof(Xconf) == 16);
static_assert(sizeof(Create_body) == 24);
static_assert(sizeof(Map_body) == 8);
static_assert(sizeof(Configure_body) == 20);
static_assert(sizeof(Damage_body) == 16);
static_assert(sizeof(Title_body) == 128);
static_assert(sizeof(Hints_body) == 36);
static_assert(sizeof(Flags_body) == 8);
static_assert(sizeof(Wmclass_body) == 128);
static_assert(sizeof(Window_dump_header) == 16);
static_assert(sizeof(Cursor_body) == 4);
static_assert(sizeof(Keypress_body) == 20);
static_assert(sizeof(Button_body) == 20);
static_assert(sizeof(Motion_body) == 16);
static_assert(sizeof(Crossing_body) == 28);
static_assert(sizeof(Focus_body) == 12);
static_assert(sizeof(Keymap_body) == 32);

// X event type and detail values carried in input bodies.
inline constexpr uint32_t KEY_PRESS = 2, KEY_RELEASE = 3, BUTTON_PRESS = 4, BUTTON_RELEASE = 5;
inline constexpr uint32_t ENTER_NOTIFY = 7, LEAVE_NOTIFY = 8, FOCUS_IN = 9, FOCUS_OUT = 10;
inline constexpr uint32_t NOTIFY_NORMAL = 0, NOTIFY_ANCESTOR = 0;

// Window contents: the dump names a shared buffer, never carries pixels.
inline constexpr uint32_t DUMP_TYPE_GRANT_REFS = 0; // Ward: u32 refs[], one per 4 KiB page
inline constexpr uint32_t DUMP_TYPE_MEMFD = 1;      // host: u32 handle of a shared memfd
inline constexpr uint32_t DUMP_BPP = 32;

inline constexpr uint32_t FLAG_FULLSCREEN = 1u << 0;
inline constexpr uint32_t FLAG_DEMANDS_ATTENTION = 1u << 1;
inline constexpr uint32_t FLAG_MINIMIZE = 1u << 2;
inline constexpr uint32_t KNOWN_FLAGS = FLAG_FULLSCREEN | FLAG_DEMANDS_ATTENTION | FLAG_MINIMIZE;

inline constexpr uint32_t CURSOR_DEFAULT = 0;
inline constexpr uint32_t CURSOR_X11 = 0x100;
inline constexpr uint32_t CURSOR_X11_MAX = 0x19a;

// Limits (Qubes values).
inline constexpr uint32_t MAX_WINDOW_WIDTH = 16384;
inline constexpr uint32_t MAX_WINDOW_HEIGHT = 6144;
inline constexpr uint64_t MAX_WINDOW_MEM = uint64_t{MAX_WINDOW_WIDTH} * MAX_WINDOW_HEIGHT * 4;
inline constexpr uint64_t num_pages(uint64_t bytes)
{
    return (bytes + 4095) >> 12;
}
inline constexpr uint32_t MAX_GRANT_REFS = static_cast<uint32_t>(num_pages(MAX_WINDOW_MEM));
inline constexpr uint32_t MAX_CLIPBOARD = 256000; // an agent may send MAX+1 to say "too big"

} // namespace gvm::proto
