// SPDX-License-Identifier: MIT
// Layout of Ward's binary ACM policy (docs/policy.md, "Binary format"). Shared by the hosted
// compiler that writes it and the freestanding loader that checks it. All integers are
// little-endian; all offsets are in bytes from the start of the file unless noted.
#pragma once

#include <cstdint>

namespace hv::acm::format
{

inline constexpr uint32_t MAGIC = 0x4d434157; // bytes 'W' 'A' 'C' 'M'
inline constexpr uint16_t VERSION = 1;
inline constexpr uint32_t HEADER_SIZE = 128;
inline constexpr uint32_t NONE = 0xffffffff; // absent string, colour or index

// Header fields.
inline constexpr uint32_t OFF_MAGIC = 0;           // u32
inline constexpr uint32_t OFF_VERSION = 4;         // u16
inline constexpr uint32_t OFF_HEADER_SIZE = 6;     // u16
inline constexpr uint32_t OFF_TOTAL_SIZE = 8;      // u32
inline constexpr uint32_t OFF_FLAGS = 12;          // u32, must be 0
inline constexpr uint32_t OFF_POLICY_MAJOR = 16;   // u32, from <Version>a.b</Version>
inline constexpr uint32_t OFF_POLICY_MINOR = 20;   // u32
inline constexpr uint32_t OFF_POLICY_NAME = 24;    // u32 string reference
inline constexpr uint32_t OFF_BOOTSTRAP = 28;      // u32 label index
inline constexpr uint32_t OFF_STE_COUNT = 32;      // u32
inline constexpr uint32_t OFF_CW_COUNT = 36;       // u32
inline constexpr uint32_t OFF_CONFLICT_COUNT = 40; // u32
inline constexpr uint32_t OFF_LABEL_COUNT = 44;    // u32
inline constexpr uint32_t OFF_SECTIONS = 48;       // SECTION_COUNT x {u32 offset, u32 size}
inline constexpr uint32_t OFF_DIGEST = 96;         // 32 bytes of SHA-256
inline constexpr uint32_t DIGEST_SIZE = 32;

// Sections, in the order of the section table. Each lies in [HEADER_SIZE, total_size).
enum Section : uint32_t
{
    STRINGS = 0,   // strings: u16 length + bytes, referenced by offset into this section
    STE_TYPES = 1, // STE_TYPE_SIZE records, sorted by name
    CW_TYPES = 2,  // CW_TYPE_SIZE records, sorted by name
    CONFLICTS = 3, // CONFLICT_SIZE records, sorted by name
    LABELS = 4,    // LABEL_SIZE records, sorted by name
    POOL = 5,      // u16 entries: sorted index lists referenced by {first, count}
    SECTION_COUNT = 6,
};

// STE type record: {u32 name, u32 colour (0x00RRGGBB or NONE)}.
inline constexpr uint32_t STE_TYPE_SIZE = 8;
// CW type record: {u32 name, u32 first, u32 count}: the conflict sets holding this type.
inline constexpr uint32_t CW_TYPE_SIZE = 12;
// Conflict set record: {u32 name, u32 first, u32 count}: its CW types (count >= 2).
inline constexpr uint32_t CONFLICT_SIZE = 12;
// Label record.
inline constexpr uint32_t LABEL_SIZE = 32;
inline constexpr uint32_t LABEL_NAME = 0;       // u32 string
inline constexpr uint32_t LABEL_FROM = 4;       // u32 string or NONE (Name@from: the old name)
inline constexpr uint32_t LABEL_KIND = 8;       // u8: 0 virtual machine, 1 resource; 3 bytes 0
inline constexpr uint32_t LABEL_COLOUR = 12;    // u32 0x00RRGGBB or NONE
inline constexpr uint32_t LABEL_STE_FIRST = 16; // u32 pool index
inline constexpr uint32_t LABEL_STE_COUNT = 20; // u32
inline constexpr uint32_t LABEL_CW_FIRST = 24;  // u32 pool index
inline constexpr uint32_t LABEL_CW_COUNT = 28;  // u32

// Limits: type and conflict-set indices are u16 in the pool.
inline constexpr uint32_t MAX_TYPES = 65535;
inline constexpr uint32_t MAX_CONFLICT_SETS = 65535;
inline constexpr uint32_t MAX_LABELS = 1u << 24;
inline constexpr uint32_t MAX_NAME = 65535;

} // namespace hv::acm::format
