// SPDX-License-Identifier: MIT
#include "hv/multiboot2.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "fakes/elf_builder.hpp"

using namespace hv_test;
using hv::mb2::Error;

namespace
{

// Builds a Multiboot2 information structure tag by tag, as GRUB lays it out.
struct Mb2_builder
{
    Bytes b = Bytes(8);

    Mb2_builder &tag(uint32_t type, Bytes const &payload)
    {
        size_t const off = b.size();
        put(b, off, type, 4);
        put(b, off + 4, 8 + payload.size(), 4);
        b.insert(b.end(), payload.begin(), payload.end());
        b.resize((b.size() + 7) & ~size_t{7});
        return *this;
    }
    static Bytes str(std::string_view s)
    {
        Bytes p;
        for (char c : s)
            p.push_back(static_cast<std::byte>(c));
        p.push_back(std::byte{0});
        return p;
    }
    Mb2_builder &cmdline(std::string_view s) { return tag(1, str(s)); }
    Mb2_builder &module(uint32_t start, uint32_t end, std::string_view cmd)
    {
        Bytes p = le_bytes(start, 4);
        Bytes const e = le_bytes(end, 4);
        p.insert(p.end(), e.begin(), e.end());
        Bytes const s = str(cmd);
        p.insert(p.end(), s.begin(), s.end());
        return tag(3, p);
    }
    struct Region
    {
        uint64_t base, length;
        uint32_t type;
    };
    Mb2_builder &mmap(std::initializer_list<Region> regions, uint32_t entry_size = 24)
    {
        Bytes p = le_bytes(entry_size, 4);
        put(p, 4, 0, 4);
        for (Region const &r : regions) {
            size_t const off = p.size();
            put(p, off, r.base, 8);
            put(p, off + 8, r.length, 8);
            put(p, off + 16, r.type, 4);
            p.resize(off + entry_size);
        }
        return tag(6, p);
    }
    static Bytes rsdp(bool v2)
    {
        Bytes r = str("RSD PTR ");
        r.resize(v2 ? 36 : 20);
        r[15] = std::byte{static_cast<unsigned char>(v2 ? 2 : 0)};
        put(r, 16, 0xe0000, 4);
        uint8_t sum = 0;
        for (size_t i = 0; i < 20; ++i)
            sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(r[i]));
        r[8] = std::byte{static_cast<unsigned char>(0x100 - sum)};
        return r;
    }
    Bytes build()
    {
        tag(0, {});
        put(b, 0, b.size(), 4);
        return b;
    }
};

Mb2_builder typical()
{
    Mb2_builder m;
    m.cmdline("serial=com1 bench")
        .tag(2, Mb2_builder::str("GRUB 2.06"))
        .mmap({{0, 0x9fc00, 1},
               {0x9fc00, 0x400, 2},
               {0x100000, 0x7ee0000, 1},
               {0xfffc0000, 0x40000, 2}})
        .module(0x400000, 0x401000, "name=alpha mem=4M")
        .module(0x401000, 0x403000, "")
        .tag(14, Mb2_builder::rsdp(false));
    return m;
}

std::string str(std::span<char const> s)
{
    return {s.data(), s.size()};
}

Error parse_error(Bytes const &b)
{
    auto const r = hv::mb2::Info::parse(as_span(b));
    EXPECT_FALSE(r.has_value());
    return r ? Error::BAD_RSDP : r.error();
}

TEST(Multiboot2, ParsesTypicalGrubInfo)
{
    Bytes const b = typical().build();
    auto const info = hv::mb2::Info::parse(as_span(b));
    ASSERT_TRUE(info.has_value()) << hv::mb2::error_name(info.error());
    EXPECT_EQ(info->total_size(), b.size());
    EXPECT_EQ(str(info->cmdline()), "serial=com1 bench");
    EXPECT_EQ(str(info->boot_loader_name()), "GRUB 2.06");
    ASSERT_EQ(info->memory_region_count(), 4u);
    EXPECT_EQ(info->memory_region(2).base, 0x100000u);
    EXPECT_EQ(info->memory_region(2).length, 0x7ee0000u);
    EXPECT_EQ(info->memory_region(3).type, hv::mb2::MEMORY_RESERVED);
    ASSERT_EQ(info->module_count(), 2u);
    EXPECT_EQ(info->module(0).start, 0x400000u);
    EXPECT_EQ(info->module(0).end, 0x401000u);
    EXPECT_EQ(str(info->module(0).cmdline), "name=alpha mem=4M");
    EXPECT_EQ(str(info->module(1).cmdline), "");
    ASSERT_EQ(info->rsdp().size(), 20u);
    EXPECT_EQ(info->rsdp()[0], std::byte{'R'});
}

TEST(Multiboot2, PrefersTheAcpi2Rsdp)
{
    Bytes const b = typical().tag(15, Mb2_builder::rsdp(true)).build();
    auto const info = hv::mb2::Info::parse(as_span(b));
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->rsdp().size(), 36u);
    EXPECT_EQ(info->rsdp()[15], std::byte{2});
}

TEST(Multiboot2, WiderMemoryMapEntriesAreStepped)
{
    Mb2_builder m;
    Bytes const b = m.mmap({{0, 0x1000, 1}, {0x100000, 0x200000, 1}}, 32).build();
    auto const info = hv::mb2::Info::parse(as_span(b));
    ASSERT_TRUE(info.has_value());
    ASSERT_EQ(info->memory_region_count(), 2u);
    EXPECT_EQ(info->memory_region(1).base, 0x100000u);
    EXPECT_TRUE(info->cmdline().empty());
    EXPECT_EQ(info->module_count(), 0u);
    EXPECT_TRUE(info->rsdp().empty());
}

TEST(Multiboot2, RejectsBadSizes)
{
    Bytes const good = typical().build();
    EXPECT_EQ(parse_error(Bytes(good.begin(), good.begin() + 6)), Error::TRUNCATED_INFO);
    EXPECT_EQ(parse_error(Bytes(good.begin(), good.end() - 8)), Error::TRUNCATED_INFO);
    Bytes b = good;
    put(b, 0, good.size() - 4, 4);
    EXPECT_EQ(parse_error(b), Error::BAD_TOTAL_SIZE);
    put(b, 0, 8, 4);
    EXPECT_EQ(parse_error(b), Error::BAD_TOTAL_SIZE);
    b = good;
    put(b, 0, good.size() - 8, 4); // the end tag is cut off
    EXPECT_EQ(parse_error(b), Error::MISSING_END_TAG);
    b = good;
    put(b, 12, 4, 4); // first tag smaller than its header
    EXPECT_EQ(parse_error(b), Error::BAD_TAG_SIZE);
    put(b, 12, 0x10000, 4);
    EXPECT_EQ(parse_error(b), Error::TAG_OUTSIDE_INFO);
    put(b, 12, 0xfffffff8, 4);
    EXPECT_EQ(parse_error(b), Error::TAG_OUTSIDE_INFO);
    b = good;
    put(b, good.size() - 4, 16, 4); // end tag with a payload
    EXPECT_EQ(parse_error(b), Error::TAG_OUTSIDE_INFO);
    Bytes no_end = Mb2_builder{}.mmap({{0, 0x1000, 1}}).b;
    put(no_end, 0, no_end.size(), 4);
    EXPECT_EQ(parse_error(no_end), Error::MISSING_END_TAG);
}

TEST(Multiboot2, RejectsBadTags)
{
    Mb2_builder unterminated;
    unterminated.tag(1, Bytes(5, std::byte{'a'})).mmap({{0, 0x1000, 1}});
    EXPECT_EQ(parse_error(unterminated.build()), Error::UNTERMINATED_STRING);
    EXPECT_EQ(parse_error(typical().cmdline("again").build()), Error::DUPLICATE_TAG);
    EXPECT_EQ(parse_error(typical().mmap({{0, 1, 1}}).build()), Error::DUPLICATE_TAG);
    EXPECT_EQ(parse_error(Mb2_builder{}.mmap({{0, 0x1000, 1}}, 20).build()),
              Error::BAD_MEMORY_MAP_ENTRY_SIZE);
    EXPECT_EQ(parse_error(Mb2_builder{}.mmap({{0, 0x1000, 1}}, 12).build()),
              Error::BAD_MEMORY_MAP_ENTRY_SIZE);
    Mb2_builder odd;
    Bytes p = le_bytes(24, 4);
    p.resize(8 + 30);
    EXPECT_EQ(parse_error(odd.tag(6, p).build()), Error::BAD_MEMORY_MAP_SIZE);
    EXPECT_EQ(parse_error(Mb2_builder{}.cmdline("x").build()), Error::MISSING_MEMORY_MAP);
    EXPECT_EQ(parse_error(typical().tag(3, le_bytes(0x1000, 8)).build()), Error::BAD_MODULE_TAG);
    Mb2_builder modules = typical();
    Bytes unterminated_mod = le_bytes(0x1000, 8);
    unterminated_mod.push_back(std::byte{'x'});
    EXPECT_EQ(parse_error(modules.tag(3, unterminated_mod).build()), Error::UNTERMINATED_STRING);
    Mb2_builder many = typical();
    for (size_t i = 0; i < hv::mb2::MAX_MODULES; ++i)
        many.module(0x1000000 + i * 0x1000, 0x1001000 + i * 0x1000, "");
    EXPECT_EQ(parse_error(many.build()), Error::TOO_MANY_MODULES);

    Bytes bad_rsdp = Mb2_builder::rsdp(false);
    bad_rsdp[9] = std::byte{0x55};
    EXPECT_EQ(parse_error(typical().tag(15, bad_rsdp).build()), Error::BAD_RSDP);
    EXPECT_EQ(parse_error(typical().tag(15, Mb2_builder::rsdp(false)).build()), Error::BAD_RSDP);
    bad_rsdp = Mb2_builder::rsdp(false);
    bad_rsdp[0] = std::byte{'X'};
    EXPECT_EQ(parse_error(typical().tag(14, bad_rsdp).build()), Error::BAD_RSDP);
}

TEST(Multiboot2, ChecksEachModule)
{
    Mb2_builder m = typical();
    m.module(0x402000, 0x404000, "overlaps the second")
        .module(0x500000, 0x500000, "empty")
        .module(0x600000, 0x5ff000, "backwards")
        .module(0x7fff000, 0x8001000, "past RAM")
        .module(0x200000, 0x201000, "over the hypervisor");
    Bytes const b = m.build();
    auto const info = hv::mb2::Info::parse(as_span(b));
    ASSERT_TRUE(info.has_value());
    uint64_t const hv_start = 0x200000, hv_end = 0x300000;
    EXPECT_TRUE(hv::mb2::check_module(*info, 0, hv_start, hv_end).has_value());
    using E = hv::mb2::Module_error;
    EXPECT_EQ(hv::mb2::check_module(*info, 1, hv_start, hv_end).error(), E::OVERLAPS_MODULE);
    EXPECT_EQ(hv::mb2::check_module(*info, 2, hv_start, hv_end).error(), E::OVERLAPS_MODULE);
    EXPECT_EQ(hv::mb2::check_module(*info, 3, hv_start, hv_end).error(), E::EMPTY);
    EXPECT_EQ(hv::mb2::check_module(*info, 4, hv_start, hv_end).error(), E::END_BEFORE_START);
    EXPECT_EQ(hv::mb2::check_module(*info, 5, hv_start, hv_end).error(), E::NOT_IN_AVAILABLE_RAM);
    EXPECT_EQ(hv::mb2::check_module(*info, 6, hv_start, hv_end).error(), E::OVERLAPS_HYPERVISOR);
    EXPECT_STREQ(hv::mb2::error_name(E::OVERLAPS_MODULE), "module overlaps another module");
}

} // namespace
