// SPDX-License-Identifier: MIT
// Why a binary policy was refused by the loader.
#pragma once

#include <cstdint>

namespace hv::acm
{

enum class Load_error : uint8_t
{
    TRUNCATED,     // shorter than the header or than total_size says
    BAD_MAGIC,     // not a Ward binary policy
    BAD_VERSION,   // a format version this loader does not read
    BAD_SIZE,      // header_size or total_size disagree with the buffer
    BAD_DIGEST,    // SHA-256 does not match the contents
    BAD_HEADER,    // reserved fields set, counts over the limits
    BAD_SECTION,   // a section outside the file or of the wrong size
    BAD_STRING,    // a string reference outside the string section, or an empty name
    BAD_ORDER,     // names not strictly ascending (unsorted or duplicate)
    BAD_INDEX,     // an index list out of range or not strictly ascending
    BAD_CONFLICT,  // a conflict set with fewer than two types, or inconsistent membership
    BAD_LABEL,     // a malformed label record (kind, resource type count, colour)
    BAD_BOOTSTRAP, // the bootstrap label is missing or not a virtual-machine label
};

// A fixed English description ("digest mismatch: ..."), for logs and tools.
char const *describe(Load_error e);

} // namespace hv::acm
