// SPDX-License-Identifier: MIT
// Framing and argument parsing of XenStore messages: the part of the store that sees raw,
// untrusted bytes (fuzzed by tests/fuzz/store).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "hv/result.hpp"
#include "ward/store/wire.hpp"

namespace dom::store
{

struct Frame
{
    Header header;
    std::string_view payload;
    size_t size; // header + payload bytes consumed
};

// The first complete message in `buf`, nothing if more bytes are needed, or EINVAL for a
// protocol violation (payload longer than XENSTORE_PAYLOAD_MAX), after which the connection
// must be closed.
hv::Result<std::optional<Frame>, Err> next_frame(std::string_view buf);

// Splits a payload of exactly `out.size()` NUL-terminated strings. False if the count differs
// or the last string is unterminated.
bool split_args(std::string_view payload, std::span<std::string_view> out);

// A payload of one NUL-terminated string (C xenstored's onearg).
std::optional<std::string_view> one_arg(std::string_view payload);

// The split "<path>\0<value>" of WRITE (the value is raw and may hold NULs).
std::optional<std::pair<std::string_view, std::string_view>>
path_and_value(std::string_view payload);

// Number of NUL-terminated strings, or nothing when the payload does not end in NUL.
std::optional<size_t> count_args(std::string_view payload);

} // namespace dom::store
