// SPDX-License-Identifier: MIT
// Binary encoding of journal records: a batch of Ops framed as {u32 len, u32 crc32, bytes}, so
// a torn tail after a crash is recognised and dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../model/op.hpp"

namespace dom::store
{

uint32_t crc32(std::string_view bytes);

void encode_op(Op const &op, std::string &out);

// Decodes every op of a record payload; nothing if any is malformed.
std::optional<std::vector<Op>> decode_ops(std::string_view payload);

// Appends one framed record holding `ops`.
void encode_record(std::vector<Op> const &ops, std::string &out);
// The same in two steps, for records built op by op (snapshots): begin_record() reserves the
// frame header and returns where it starts; end_record() fills it in once the ops follow.
size_t begin_record(std::string &out);
void end_record(std::string &out, size_t start);

// The payload of the framed record at the front of `bytes` and its total size, or nothing if
// the record is incomplete or its checksum does not match.
struct Record_view
{
    std::string_view payload;
    size_t size;
};
std::optional<Record_view> next_record(std::string_view bytes);

} // namespace dom::store
