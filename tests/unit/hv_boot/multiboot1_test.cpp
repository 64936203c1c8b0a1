// SPDX-License-Identifier: MIT
#include "hv/multiboot1.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using hv::mb1::Error;

namespace
{

// A fake physical memory of 64 KiB at address 0 laid out the way QEMU's Multiboot loader does:
// information block, module list, strings and memory map at addresses the block points to.
struct Memory final : hv::mb1::Phys_reader
{
    std::vector<std::byte> ram = std::vector<std::byte>(0x10000);
    size_t next = 0x1000; // bump allocator for strings and tables

    std::span<std::byte const> read(uint64_t pa, size_t max) const override
    {
        if (pa >= ram.size())
            return {};
        size_t const n = std::min<size_t>(max, ram.size() - pa);
        return {ram.data() + pa, n};
    }
    void put(uint64_t pa, uint64_t v, size_t n)
    {
        for (size_t i = 0; i < n; ++i)
            ram[pa + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
    }
    uint32_t str(std::string_view s)
    {
        uint32_t const at = static_cast<uint32_t>(next);
        std::memcpy(ram.data() + at, s.data(), s.size());
        ram[at + s.size()] = std::byte{0};
        next = (next + s.size() + 16) & ~size_t{7};
        return at;
    }
};

constexpr uint64_t INFO = 0x100;
constexpr uint32_t FLAGS_ALL = hv::mb1::INFO_CMDLINE | hv::mb1::INFO_MODS | hv::mb1::INFO_MMAP |
                               hv::mb1::INFO_LOADER_NAME | 1u;

// QEMU's layout: two e820 regions, two modules, command lines with the file name first.
Memory qemu_like()
{
    Memory m;
    m.put(INFO + 0, FLAGS_ALL, 4);
    m.put(INFO + 16, m.str("/build/ward-hv.bin serial=com1"), 4);
    m.put(INFO + 64, m.str("qemu"), 4);
    uint32_t const mods = 0x800;
    m.put(INFO + 20, 2, 4);
    m.put(INFO + 24, mods, 4);
    m.put(mods + 0, 0x400000, 4);
    m.put(mods + 4, 0x500000, 4);
    m.put(mods + 8, m.str("/build/vmlinux name=linux mem=160M -- console=hvc0"), 4);
    m.put(mods + 16, 0x500000, 4);
    m.put(mods + 20, 0x501234, 4);
    m.put(mods + 24, m.str("/build/initramfs"), 4);
    uint32_t const mmap = 0x900;
    m.put(INFO + 44, 48, 4);
    m.put(INFO + 48, mmap, 4);
    m.put(mmap + 0, 20, 4);
    m.put(mmap + 4, 0, 8);
    m.put(mmap + 12, 0x9fc00, 8);
    m.put(mmap + 20, 1, 4);
    m.put(mmap + 24, 20, 4);
    m.put(mmap + 28, 0x100000, 8);
    m.put(mmap + 36, 0x5ff00000, 8);
    m.put(mmap + 44, 1, 4);
    return m;
}

std::string text(std::span<char const> s)
{
    return {s.data(), s.size()};
}

TEST(Multiboot1, ParsesQemuLayout)
{
    Memory const m = qemu_like();
    auto const info = hv::mb1::Info::parse(m, INFO);
    ASSERT_TRUE(info) << hv::mb1::error_name(info.error());
    EXPECT_EQ(text(info->cmdline()), "/build/ward-hv.bin serial=com1");
    EXPECT_EQ(text(info->boot_loader_name()), "qemu");
    ASSERT_EQ(info->memory_region_count(), 2u);
    EXPECT_EQ(info->memory_region(1).base, 0x100000u);
    EXPECT_EQ(info->memory_region(1).length, 0x5ff00000u);
    EXPECT_EQ(info->memory_region(1).type, 1u);
    ASSERT_EQ(info->module_count(), 2u);
    EXPECT_EQ(info->module(0).start, 0x400000u);
    EXPECT_EQ(info->module(0).end, 0x500000u);
    EXPECT_EQ(text(info->module(1).cmdline), "/build/initramfs");
}

TEST(Multiboot1, ReencodesAsMultiboot2WithoutFileNames)
{
    Memory const m = qemu_like();
    auto const info = hv::mb1::Info::parse(m, INFO);
    ASSERT_TRUE(info);
    alignas(8) std::byte out[1024];
    auto const n = hv::mb1::to_multiboot2(*info, out);
    ASSERT_TRUE(n) << hv::mb1::error_name(n.error());
    auto const mb2 = hv::mb2::Info::parse({out, *n});
    ASSERT_TRUE(mb2) << hv::mb2::error_name(mb2.error());
    EXPECT_EQ(mb2->total_size(), *n);
    EXPECT_EQ(text(mb2->cmdline()), "serial=com1");
    EXPECT_EQ(text(mb2->boot_loader_name()), "qemu");
    ASSERT_EQ(mb2->module_count(), 2u);
    EXPECT_EQ(text(mb2->module(0).cmdline), "name=linux mem=160M -- console=hvc0");
    EXPECT_EQ(mb2->module(0).start, 0x400000u);
    EXPECT_EQ(mb2->module(1).end, 0x501234u);
    EXPECT_EQ(text(mb2->module(1).cmdline), "");
    ASSERT_EQ(mb2->memory_region_count(), 2u);
    EXPECT_EQ(mb2->memory_region(0).length, 0x9fc00u);
    EXPECT_EQ(mb2->memory_region(1).type, hv::mb2::MEMORY_AVAILABLE);
    EXPECT_TRUE(hv::mb2::check_module(*mb2, 0, 0x200000, 0x300000));
}

TEST(Multiboot1, OutputTooSmallIsAnErrorNotAnOverrun)
{
    Memory const m = qemu_like();
    auto const info = hv::mb1::Info::parse(m, INFO);
    ASSERT_TRUE(info);
    for (size_t size : {0u, 8u, 40u, 100u, 199u}) { // it needs 200
        std::vector<std::byte> out(size + 16, std::byte{0xee});
        auto const n = hv::mb1::to_multiboot2(*info, std::span{out}.first(size));
        ASSERT_FALSE(n) << size;
        EXPECT_EQ(n.error(), Error::OUTPUT_TOO_SMALL);
        for (size_t i = size; i < out.size(); ++i)
            ASSERT_EQ(out[i], std::byte{0xee}) << "wrote past the end at " << i;
    }
}

TEST(Multiboot1, WithoutFileName)
{
    auto strip = [](std::string_view s) {
        return text(hv::mb1::without_file_name({s.data(), s.size()}));
    };
    EXPECT_EQ(strip("/a/b c=d  e"), "c=d  e");
    EXPECT_EQ(strip("/a/b"), "");
    EXPECT_EQ(strip(""), "");
    EXPECT_EQ(strip("  /a/b   x"), "x");
}

TEST(Multiboot1, NoModulesNoCommandLine)
{
    Memory m = qemu_like();
    m.put(INFO, hv::mb1::INFO_MMAP, 4);
    auto const info = hv::mb1::Info::parse(m, INFO);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->module_count(), 0u);
    EXPECT_TRUE(info->cmdline().empty());
    alignas(8) std::byte out[256];
    auto const n = hv::mb1::to_multiboot2(*info, out);
    ASSERT_TRUE(n);
    auto const mb2 = hv::mb2::Info::parse({out, *n});
    ASSERT_TRUE(mb2);
    EXPECT_TRUE(mb2->cmdline().empty());
}

struct Bad_case
{
    char const *what;
    void (*damage)(Memory &);
    Error expected;
};

TEST(Multiboot1, RefusesBadInformation)
{
    Bad_case const cases[] = {
        {"no memory map flag", [](Memory &m) { m.put(INFO, hv::mb1::INFO_CMDLINE, 4); },
         Error::MISSING_MEMORY_MAP},
        {"empty memory map", [](Memory &m) { m.put(INFO + 44, 0, 4); }, Error::MISSING_MEMORY_MAP},
        {"memory map out of reach", [](Memory &m) { m.put(INFO + 48, 0xfffff0, 4); },
         Error::UNREADABLE_MEMORY_MAP},
        {"memory map at 0", [](Memory &m) { m.put(INFO + 48, 0, 4); },
         Error::UNREADABLE_MEMORY_MAP},
        {"short memory map entry", [](Memory &m) { m.put(0x900, 12, 4); },
         Error::BAD_MEMORY_MAP_ENTRY},
        {"entry past the map length", [](Memory &m) { m.put(0x900 + 24, 40, 4); },
         Error::BAD_MEMORY_MAP_ENTRY},
        {"huge memory map", [](Memory &m) { m.put(INFO + 44, 0x100000, 4); },
         Error::TOO_MANY_REGIONS},
        {"too many modules", [](Memory &m) { m.put(INFO + 20, 33, 4); }, Error::TOO_MANY_MODULES},
        {"module list out of reach", [](Memory &m) { m.put(INFO + 24, 0xfffff8, 4); },
         Error::UNREADABLE_MODULE_LIST},
        {"module string at 0", [](Memory &m) { m.put(0x800 + 8, 0, 4); }, Error::UNREADABLE_STRING},
        {"command line out of reach", [](Memory &m) { m.put(INFO + 16, 0x12345678, 4); },
         Error::UNREADABLE_STRING},
        {"unterminated loader name",
         [](Memory &m) {
             for (size_t i = 0xff00; i < m.ram.size(); ++i)
                 m.ram[i] = std::byte{'x'};
             m.put(INFO + 64, 0xff00, 4);
         },
         Error::UNTERMINATED_STRING},
    };
    for (Bad_case const &c : cases) {
        Memory m = qemu_like();
        c.damage(m);
        auto const info = hv::mb1::Info::parse(m, INFO);
        ASSERT_FALSE(info) << c.what;
        EXPECT_EQ(info.error(), c.expected) << c.what;
        EXPECT_STRNE(hv::mb1::error_name(info.error()), "unknown Multiboot error");
    }
    Memory const m = qemu_like();
    EXPECT_EQ(hv::mb1::Info::parse(m, 0).error(), Error::UNREADABLE_INFO);
    EXPECT_EQ(hv::mb1::Info::parse(m, 0xfffc).error(), Error::UNREADABLE_INFO);
}

} // namespace
