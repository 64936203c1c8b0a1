// SPDX-License-Identifier: MIT
// bzImage unpacking on synthetic images: a setup header around an XZ payload made with liblzma.
#include "bzimage.hpp"

#include <gtest/gtest.h>
#include <lzma.h>

#include <cstring>

namespace
{

using Bytes = std::vector<std::byte>;

Bytes fake_elf(size_t size)
{
    Bytes e(size, std::byte{0x5a});
    unsigned char const ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    std::memcpy(e.data(), ident, sizeof ident);
    e[18] = std::byte{62}; // EM_X86_64
    e[19] = std::byte{0};
    return e;
}

Bytes xz(Bytes const &in)
{
    Bytes out(lzma_stream_buffer_bound(in.size()));
    size_t pos = 0;
    EXPECT_EQ(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, nullptr,
                                      reinterpret_cast<uint8_t const *>(in.data()), in.size(),
                                      reinterpret_cast<uint8_t *>(out.data()), &pos, out.size()),
              LZMA_OK);
    out.resize(pos);
    return out;
}

void put32(Bytes &b, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[off + i] = std::byte(static_cast<uint8_t>(v >> (8 * i)));
}

// A bzImage as the kernel build lays it out: setup sectors, then payload + 4-byte size.
Bytes make_bzimage(Bytes const &payload, uint32_t declared_size, uint8_t setup_sects = 3)
{
    size_t const setup = ((setup_sects == 0 ? 4 : setup_sects) + 1) * 512u; // 0 means 4
    uint32_t const payload_offset = 0x100;
    Bytes img(setup + payload_offset + payload.size() + 4, std::byte{0});
    img[0x1f1] = std::byte{setup_sects};
    std::memcpy(img.data() + 0x202, "HdrS", 4);
    img[0x206] = std::byte{0x0f};
    img[0x207] = std::byte{0x02};
    put32(img, 0x248, payload_offset);
    put32(img, 0x24c, static_cast<uint32_t>(payload.size() + 4));
    std::memcpy(img.data() + setup + payload_offset, payload.data(), payload.size());
    put32(img, setup + payload_offset + payload.size(), declared_size);
    return img;
}

TEST(Bzimage, UnpacksTheElfPayload)
{
    Bytes const elf = fake_elf(100000);
    auto const r = dom::guests::unpack_bzimage(make_bzimage(xz(elf), 100000));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, elf);
}

TEST(Bzimage, ParsesTheHeader)
{
    auto const h = dom::guests::parse_bzimage_header(make_bzimage(xz(fake_elf(64)), 64, 0));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->setup_size, 5u * 512); // setup_sects 0 means 4
    EXPECT_EQ(h->payload_offset, 0x100u);
    EXPECT_EQ(h->boot_protocol, 0x020f);
}

TEST(Bzimage, RefusesWhatIsNotABzimage)
{
    Bytes small(100);
    EXPECT_NE(dom::guests::unpack_bzimage(small).error().message.find("too small"),
              std::string::npos);
    Bytes img = make_bzimage(xz(fake_elf(64)), 64);
    img[0x202] = std::byte{'X'};
    EXPECT_NE(dom::guests::unpack_bzimage(img).error().message.find("HdrS"), std::string::npos);
}

TEST(Bzimage, RefusesATruncatedImage)
{
    Bytes img = make_bzimage(xz(fake_elf(4096)), 4096);
    img.resize(img.size() - 10);
    EXPECT_NE(dom::guests::unpack_bzimage(img).error().message.find("outside"), std::string::npos);
}

TEST(Bzimage, NamesAnUnsupportedCompression)
{
    Bytes gz(64, std::byte{0});
    gz[0] = std::byte{0x1f};
    gz[1] = std::byte{0x8b};
    auto const r = dom::guests::unpack_bzimage(make_bzimage(gz, 64));
    EXPECT_NE(r.error().message.find("gzip"), std::string::npos);
}

TEST(Bzimage, RefusesACorruptPayload)
{
    Bytes payload = xz(fake_elf(8192));
    payload[payload.size() / 2] ^= std::byte{0xff};
    auto const r = dom::guests::unpack_bzimage(make_bzimage(payload, 8192));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("corrupt"), std::string::npos) << r.error().message;
}

TEST(Bzimage, RefusesASizeMismatch)
{
    auto const bigger = dom::guests::unpack_bzimage(make_bzimage(xz(fake_elf(8192)), 9000));
    EXPECT_NE(bigger.error().message.find("gave 8192 bytes"), std::string::npos)
        << bigger.error().message;
    auto const smaller = dom::guests::unpack_bzimage(make_bzimage(xz(fake_elf(8192)), 4000));
    EXPECT_FALSE(smaller);
    auto const huge =
        dom::guests::unpack_bzimage(make_bzimage(xz(fake_elf(64)), 0xffffffff), 1u << 20);
    EXPECT_NE(huge.error().message.find("exceeds the limit"), std::string::npos);
}

TEST(Bzimage, RefusesAPayloadThatIsNotElf)
{
    Bytes text(4096, std::byte{'a'});
    auto const r = dom::guests::unpack_bzimage(make_bzimage(xz(text), 4096));
    EXPECT_NE(r.error().message.find("not an x86-64 ELF"), std::string::npos);
}

} // namespace
