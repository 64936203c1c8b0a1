// SPDX-License-Identifier: MIT
#include "bzimage.hpp"

#include <cstring>
#include <lzma.h>

namespace dom::guests
{
namespace
{

template <typename T> T load_le(std::span<std::byte const> s, size_t off)
{
    T v{};
    for (size_t i = 0; i < sizeof(T); ++i)
        v = static_cast<T>(v | static_cast<T>(static_cast<T>(s[off + i]) << (8 * i)));
    return v;
}

hv::Unexpected<Unpack_error> fail(std::string m)
{
    return hv::unexpected(Unpack_error{std::move(m)});
}

bool starts_with(std::span<std::byte const> s, std::initializer_list<uint8_t> magic)
{
    if (s.size() < magic.size())
        return false;
    size_t i = 0;
    for (uint8_t const m : magic)
        if (static_cast<uint8_t>(s[i++]) != m)
            return false;
    return true;
}

constexpr size_t SETUP_SECTS = 0x1f1;
constexpr size_t HEADER_MAGIC = 0x202;
constexpr size_t PROTOCOL = 0x206;
constexpr size_t PAYLOAD_OFFSET = 0x248;
constexpr size_t PAYLOAD_LENGTH = 0x24c;
constexpr size_t HEADER_END = 0x250;

} // namespace

hv::Result<Bzimage_header, Unpack_error> parse_bzimage_header(std::span<std::byte const> image)
{
    if (image.size() < HEADER_END)
        return fail("file too small for a bzImage setup header (" + std::to_string(image.size()) +
                    " bytes)");
    if (load_le<uint32_t>(image, HEADER_MAGIC) != 0x53726448) // "HdrS"
        return fail("no 'HdrS' setup header magic at 0x202: not a bzImage");
    Bzimage_header h;
    h.boot_protocol = load_le<uint16_t>(image, PROTOCOL);
    if (h.boot_protocol < 0x0208)
        return fail("boot protocol " + std::to_string(h.boot_protocol >> 8) + "." +
                    std::to_string(h.boot_protocol & 0xff) + " has no payload fields (need 2.08)");
    uint32_t sects = static_cast<uint8_t>(image[SETUP_SECTS]);
    if (sects == 0)
        sects = 4;
    h.setup_size = (sects + 1) * 512;
    h.payload_offset = load_le<uint32_t>(image, PAYLOAD_OFFSET);
    h.payload_length = load_le<uint32_t>(image, PAYLOAD_LENGTH);
    uint64_t const start = uint64_t{h.setup_size} + h.payload_offset;
    if (h.payload_length < 4 || start + h.payload_length > image.size())
        return fail("payload [" + std::to_string(start) + ", +" + std::to_string(h.payload_length) +
                    ") lies outside the " + std::to_string(image.size()) +
                    "-byte file (truncated?)");
    return h;
}

Compression payload_compression(std::span<std::byte const> p)
{
    if (starts_with(p, {0xfd, '7', 'z', 'X', 'Z', 0x00}))
        return Compression::XZ;
    if (starts_with(p, {0x1f, 0x8b}))
        return Compression::GZIP;
    if (starts_with(p, {'B', 'Z', 'h'}))
        return Compression::BZIP2;
    if (starts_with(p, {0x5d, 0x00, 0x00}))
        return Compression::LZMA;
    if (starts_with(p, {0x89, 'L', 'Z', 'O'}))
        return Compression::LZO;
    if (starts_with(p, {0x02, 0x21, 0x4c, 0x18}))
        return Compression::LZ4;
    if (starts_with(p, {0x28, 0xb5, 0x2f, 0xfd}))
        return Compression::ZSTD;
    return Compression::UNKNOWN;
}

char const *compression_name(Compression c)
{
    switch (c) {
    case Compression::XZ: return "xz";
    case Compression::GZIP: return "gzip";
    case Compression::BZIP2: return "bzip2";
    case Compression::LZMA: return "lzma";
    case Compression::LZO: return "lzo";
    case Compression::LZ4: return "lz4";
    case Compression::ZSTD: return "zstd";
    case Compression::UNKNOWN: break;
    }
    return "unknown";
}

hv::Result<std::vector<std::byte>, Unpack_error> unpack_bzimage(std::span<std::byte const> image,
                                                                size_t limit)
{
    Bzimage_header const h = HV_TRY(parse_bzimage_header(image));
    auto const payload = image.subspan(h.setup_size + h.payload_offset, h.payload_length);
    Compression const c = payload_compression(payload);
    if (c != Compression::XZ)
        return fail(std::string{"payload compression is "} + compression_name(c) +
                    "; only xz (Debian's kernels) is supported");
    // The kernel build appends the decompressed size as 4 little-endian bytes after the stream.
    uint32_t const expected = load_le<uint32_t>(payload, payload.size() - 4);
    if (expected > limit)
        return fail("declared decompressed size " + std::to_string(expected) +
                    " exceeds the limit of " + std::to_string(limit));

    std::vector<std::byte> out(expected);
    lzma_stream strm = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&strm, 1u << 30, 0) != LZMA_OK)
        return fail("liblzma: cannot initialise the xz decoder");
    strm.next_in = reinterpret_cast<uint8_t const *>(payload.data());
    strm.avail_in = payload.size() - 4;
    strm.next_out = reinterpret_cast<uint8_t *>(out.data());
    strm.avail_out = out.size();
    lzma_ret const r = lzma_code(&strm, LZMA_FINISH);
    size_t const produced = out.size() - strm.avail_out;
    lzma_end(&strm);
    if (r == LZMA_OK || r == LZMA_BUF_ERROR)
        return fail("xz payload is truncated or larger than its declared size " +
                    std::to_string(expected));
    if (r != LZMA_STREAM_END)
        return fail("xz payload is corrupt (liblzma error " + std::to_string(int{r}) + ")");
    if (produced != expected)
        return fail("xz payload gave " + std::to_string(produced) + " bytes, the image declares " +
                    std::to_string(expected));
    auto const elf = std::span<std::byte const>{out};
    if (elf.size() < 64 || !starts_with(elf, {0x7f, 'E', 'L', 'F', 2, 1}) ||
        load_le<uint16_t>(elf, 18) != 62)
        return fail("the decompressed payload is not an x86-64 ELF image");
    return out;
}

} // namespace dom::guests
