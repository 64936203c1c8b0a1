// SPDX-License-Identifier: MIT
// Unpacking a Linux x86 bzImage to the ELF vmlinux inside it. The PVH entry note exists only in
// that ELF, so a PVH domain builder needs it; the XZ payload is decompressed with liblzma.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hv/result.hpp"

namespace dom::guests
{

// What the setup header (Documentation/arch/x86/boot.rst) says about the payload.
struct Bzimage_header
{
    uint16_t boot_protocol = 0;  // 0x206, e.g. 0x020f
    uint32_t setup_size = 0;     // (setup_sects + 1) * 512: where protected-mode code starts
    uint32_t payload_offset = 0; // 0x248, from the start of protected-mode code
    uint32_t payload_length = 0; // 0x24c, includes the 4-byte decompressed size the build appends
};

enum class Compression
{
    XZ,
    GZIP,
    BZIP2,
    LZMA,
    LZO,
    LZ4,
    ZSTD,
    UNKNOWN
};

struct Unpack_error
{
    std::string message;
};

// Validates the setup header: size, "HdrS" magic, protocol >= 2.08 (payload fields), payload
// range inside the file.
hv::Result<Bzimage_header, Unpack_error> parse_bzimage_header(std::span<std::byte const> image);

// Identifies a payload's compression from its magic bytes.
Compression payload_compression(std::span<std::byte const> payload);
char const *compression_name(Compression c);

// Decompresses the XZ payload and checks the result: the decompressed size matches the size the
// kernel build appended, and the output is an x86-64 ELF. `limit` bounds the output size.
hv::Result<std::vector<std::byte>, Unpack_error> unpack_bzimage(std::span<std::byte const> image,
                                                                size_t limit = 512u << 20);

} // namespace dom::guests
