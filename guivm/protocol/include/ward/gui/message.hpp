// SPDX-License-Identifier: MIT
// A decoded GUI protocol message: the header's type and window plus a typed body.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ward/gui/wire.hpp"

namespace gvm::proto
{

struct Empty
{};

struct Window_dump
{
    Window_dump_header hdr;
    uint32_t handle = 0;          // DUMP_TYPE_MEMFD
    std::vector<uint32_t> refs{}; // DUMP_TYPE_GRANT_REFS
};

struct Clipboard
{
    std::vector<uint8_t> data;
};

using Body =
    std::variant<Empty, Create_body, Map_body, Configure_body, Damage_body, Title_body, Hints_body,
                 Flags_body, Wmclass_body, Cursor_body, Window_dump, Clipboard, Keypress_body,
                 Button_body, Motion_body, Crossing_body, Focus_body, Keymap_body>;

struct Message
{
    Type type;
    uint32_t window;
    Body body;
};

// Who sent the bytes being parsed. The daemon parses FROM_AGENT (untrusted); the agent parses
// FROM_DAEMON.
enum class Direction
{
    FROM_AGENT,
    FROM_DAEMON,
};

// Why a message stream was rejected. Every one of these ends the agent's session.
enum class Violation
{
    UNKNOWN_TYPE,    // not a message type of this protocol
    WRONG_DIRECTION, // a known type this side never receives
    BAD_LENGTH,      // untrusted_len differs from the type's fixed or computed size
    TOO_LONG,        // a variable-length message beyond its limit
    BAD_VALUE,       // a field outside its documented range
    BAD_VERSION,     // the handshake named another major version
};

char const *to_string(Violation v);
char const *to_string(Type t);

} // namespace gvm::proto
