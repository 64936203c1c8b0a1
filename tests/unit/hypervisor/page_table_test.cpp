// SPDX-License-Identifier: MIT
#include "hv/page_table.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_page_memory.hpp"

using namespace hv::pt;
using hv_test::Fake_alloc;
using hv_test::Fake_memory;

namespace
{

constexpr uint64_t K4 = 4096;
constexpr uint64_t M2 = 2ull << 20;

template <typename FORMAT> struct Rig
{
    Fake_memory mem;
    Fake_alloc alloc{mem};
    Page_table<FORMAT, Fake_memory, Fake_alloc> pt =
        Page_table<FORMAT, Fake_memory, Fake_alloc>::create(mem, alloc).expect("fresh allocator");

    // Every present entry of every live table, with its level (4 = PML4).
    template <typename F> void each_entry(F &&f) { walk(pt.root(), 4, f); }
    template <typename F> void walk(uint64_t table, unsigned level, F &f)
    {
        for (unsigned i = 0; i < 512; ++i) {
            uint64_t const e = mem.tables.at(table)[i];
            if (!FORMAT::present(e))
                continue;
            bool const leaf = level == 1 || FORMAT::large(e);
            f(e, level, leaf);
            if (!leaf)
                walk(FORMAT::address(e), level - 1, f);
        }
    }
};

// An independent software walk of host-format tables: the translation the CPU would make.
std::optional<uint64_t> translate(Fake_memory const &mem, uint64_t root, uint64_t va)
{
    uint64_t table = root;
    for (unsigned level = 4; level >= 1; --level) {
        unsigned const i = (va >> (12 + 9 * (level - 1))) & 511;
        uint64_t const e = mem.tables.at(table)[i];
        if ((e & 1) == 0)
            return std::nullopt;
        if (level == 2 && (e & 0x80) != 0)
            return (e & 0x000fffffffe00000ull) + (va & (M2 - 1));
        if (level == 1)
            return (e & ADDR_MASK) + (va & (K4 - 1));
        table = e & ADDR_MASK;
    }
    return std::nullopt;
}

TEST(PageTable, HostMapWritesLinksThenTheLeaf)
{
    Rig<Host_format> r;
    uint64_t const va = 0xffff800000201000ull;
    ASSERT_TRUE(r.pt.map(va, 0x5000, Page_size::SIZE_4K, R | W).has_value());
    ASSERT_EQ(r.mem.writes.size(), 4u);
    unsigned const idx[4] = {256, 0, 1, 1};
    uint64_t table = r.pt.root();
    for (size_t i = 0; i < 3; ++i) {
        auto const &w = r.mem.writes[i];
        EXPECT_EQ(w.table, table);
        EXPECT_EQ(w.index, idx[i]);
        EXPECT_EQ(w.old_value, 0u);
        EXPECT_EQ(w.new_value & ~ADDR_MASK, 0x7u); // P | RW | US, no NX on intermediates
        table = w.new_value & ADDR_MASK;
        EXPECT_EQ(r.mem.tables.count(table), 1u);
    }
    EXPECT_EQ(r.mem.writes[3].table, table);
    EXPECT_EQ(r.mem.writes[3].index, idx[3]);
    EXPECT_EQ(r.mem.writes[3].new_value, 0x8000000000005003ull); // NX | RW | P, supervisor
    auto const m = r.pt.lookup(va + 0x123);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->pa, 0x5123u);
    EXPECT_EQ(m->size, Page_size::SIZE_4K);
    EXPECT_EQ(m->perms, R | W);
    EXPECT_EQ(m->type, Mem_type::WB);
    EXPECT_EQ(translate(r.mem, r.pt.root(), va + 0x123), 0x5123u);
}

TEST(PageTable, HostEnforcesWriteXorExecuteAndCanonicalAddresses)
{
    Rig<Host_format> r;
    EXPECT_EQ(r.pt.map(0x1000, 0x1000, Page_size::SIZE_4K, R | W | X).error(),
              Error::WRITE_EXEC_REFUSED);
    EXPECT_EQ(r.pt.map(0x1000, 0x1000, Page_size::SIZE_4K, W).error(), Error::BAD_PERMISSIONS);
    ASSERT_TRUE(r.pt.map(0x1000, 0x1000, Page_size::SIZE_4K, R | X).has_value());
    EXPECT_EQ(r.mem.writes.back().new_value, 0x1001u); // executable, read-only
    ASSERT_TRUE(r.pt.map(0x2000, 0x2000, Page_size::SIZE_4K, R | W | USER).has_value());
    EXPECT_EQ(r.mem.writes.back().new_value, 0x8000000000002007ull);
    EXPECT_EQ(r.pt.lookup(0x2000)->perms, R | W | USER);
    EXPECT_EQ(r.pt.map(0x0000800000000000ull, 0, Page_size::SIZE_4K, R).error(),
              Error::BAD_ADDRESS);
    EXPECT_EQ(r.pt.map(0x00007ffffffff000ull, 0, Page_size::SIZE_4K, R).has_value(), true);
    EXPECT_EQ(r.pt.map_range(0x00007ffffffff000ull, 0, 2 * K4, R).error(), Error::BAD_ADDRESS);
    EXPECT_EQ(r.pt.map(0x1234, 0x1000, Page_size::SIZE_4K, R).error(), Error::MISALIGNED);
    EXPECT_EQ(r.pt.map(0x3000, 0x1001, Page_size::SIZE_4K, R).error(), Error::MISALIGNED);
    EXPECT_EQ(r.pt.map(0x201000, 0x200000, Page_size::SIZE_2M, R).error(), Error::MISALIGNED);
    EXPECT_EQ(r.pt.map(0x200000, 0x201000, Page_size::SIZE_2M, R).error(), Error::MISALIGNED);
    EXPECT_EQ(r.pt.map(0x3000, 1ull << 52, Page_size::SIZE_4K, R).error(), Error::BAD_ADDRESS);
    EXPECT_FALSE(r.pt.lookup(0x0000800000000000ull).has_value());
}

TEST(PageTable, NptSetsUserOnEveryLevel)
{
    Rig<Npt_format> r;
    ASSERT_TRUE(r.pt.map(0, 16ull << 20, Page_size::SIZE_4K, R | W | X).has_value());
    ASSERT_TRUE(r.pt.map(M2, 18ull << 20, Page_size::SIZE_2M, R | W | X).has_value());
    ASSERT_TRUE(
        r.pt.map(0xfee00000, 0xfee00000, Page_size::SIZE_4K, R | W, Mem_type::UC).has_value());
    size_t entries = 0;
    r.each_entry([&](uint64_t e, unsigned level, bool leaf) {
        ++entries;
        EXPECT_NE(e & X86_bits::US, 0u) << "level " << level;
        if (leaf && level == 2) {
            EXPECT_NE(e & X86_bits::PS, 0u);
        }
    });
    EXPECT_EQ(entries, 1u + 2 + 3 + 2); // PML4e; 2 PDPTe; 3 PDe (one a 2 MiB leaf); 2 PTe
    EXPECT_EQ(r.pt.lookup(0xfee00000)->type, Mem_type::UC);
    EXPECT_EQ(r.pt.lookup(M2 + 0x1234)->pa, (18ull << 20) + 0x1234);
    EXPECT_EQ(r.pt.lookup(0)->perms, R | W | X);
    EXPECT_EQ(r.pt.map(1ull << 48, 0, Page_size::SIZE_4K, R).error(), Error::BAD_ADDRESS);
}

TEST(PageTable, EptEntriesCarryRwxAndMemoryType)
{
    Rig<Ept_format> r;
    ASSERT_TRUE(r.pt.map(M2, 0x40000000, Page_size::SIZE_2M, R | W | X).has_value());
    EXPECT_EQ(r.mem.writes.back().new_value, 0x40000000u | 7 | (6 << 3) | 0x80);
    for (size_t i = 0; i + 1 < r.mem.writes.size(); ++i)
        EXPECT_EQ(r.mem.writes[i].new_value & 0xfff, 7u);
    ASSERT_TRUE(
        r.pt.map(0xfee00000, 0xfee00000, Page_size::SIZE_4K, R | W, Mem_type::UC).has_value());
    EXPECT_EQ(r.mem.writes.back().new_value, 0xfee00003u);
    ASSERT_TRUE(r.pt.map(0x1000, 0x1000, Page_size::SIZE_4K, X).has_value()); // execute-only
    EXPECT_EQ(r.pt.lookup(0x1000)->perms, X);
    EXPECT_EQ(r.pt.map(0x2000, 0x2000, Page_size::SIZE_4K, W).error(), Error::BAD_PERMISSIONS);
    EXPECT_EQ(r.pt.map(0x2000, 0x2000, Page_size::SIZE_4K, 0).error(), Error::BAD_PERMISSIONS);
    EXPECT_EQ(r.pt.lookup(M2 + 5)->type, Mem_type::WB);
    EXPECT_EQ(r.pt.lookup(0xfee00000)->type, Mem_type::UC);
}

TEST(PageTable, ConflictingMappingsAreRefused)
{
    Rig<Npt_format> r;
    ASSERT_TRUE(r.pt.map(0, 0, Page_size::SIZE_2M, R | W).has_value());
    EXPECT_EQ(r.pt.map(0x1000, 0x1000, Page_size::SIZE_4K, R).error(), Error::ALREADY_MAPPED);
    EXPECT_EQ(r.pt.map(0, 0, Page_size::SIZE_2M, R).error(), Error::ALREADY_MAPPED);
    ASSERT_TRUE(r.pt.map(M2 + K4, 0, Page_size::SIZE_4K, R).has_value());
    EXPECT_EQ(r.pt.map(M2, 0, Page_size::SIZE_2M, R).error(), Error::ALREADY_MAPPED);
    EXPECT_EQ(r.pt.map(M2 + K4, 0x9000, Page_size::SIZE_4K, R).error(), Error::ALREADY_MAPPED);
    EXPECT_EQ(r.pt.lookup(M2 + K4)->pa, 0u); // unchanged

    // Once the 4 KiB page is gone, its empty table gives way to a 2 MiB page and is freed.
    ASSERT_TRUE(r.pt.unmap(M2 + K4, Page_size::SIZE_4K).has_value());
    size_t const frees = r.alloc.frees;
    ASSERT_TRUE(r.pt.map(M2, 4 * M2, Page_size::SIZE_2M, R).has_value());
    EXPECT_EQ(r.alloc.frees, frees + 1);
    EXPECT_EQ(r.pt.lookup(M2 + K4)->pa, 4 * M2 + K4);
}

TEST(PageTable, UnmapAndProtectNeedTheMappedSize)
{
    Rig<Host_format> r;
    EXPECT_EQ(r.pt.unmap(0x1000, Page_size::SIZE_4K).error(), Error::NOT_MAPPED);
    ASSERT_TRUE(r.pt.map(0, 0x40000000, Page_size::SIZE_2M, R | W).has_value());
    ASSERT_TRUE(r.pt.map(M2, 0x1000, Page_size::SIZE_4K, R | W).has_value());
    EXPECT_EQ(r.pt.unmap(0x1000, Page_size::SIZE_4K).error(), Error::SIZE_MISMATCH);
    EXPECT_EQ(r.pt.unmap(M2, Page_size::SIZE_2M).error(), Error::SIZE_MISMATCH);
    EXPECT_EQ(r.pt.unmap(M2 + K4, Page_size::SIZE_4K).error(), Error::NOT_MAPPED);
    EXPECT_EQ(r.pt.unmap(0x1000, Page_size::SIZE_2M).error(), Error::MISALIGNED);
    EXPECT_EQ(r.pt.protect(0x1000, Page_size::SIZE_4K, R).error(), Error::SIZE_MISMATCH);

    ASSERT_TRUE(r.pt.protect(0, Page_size::SIZE_2M, R).has_value());
    EXPECT_EQ(r.mem.writes.back().new_value, 0x8000000040000081ull);
    EXPECT_EQ(r.pt.lookup(0x3000)->perms, R);
    EXPECT_EQ(r.pt.lookup(0x3000)->pa, 0x40003000u);
    EXPECT_EQ(r.pt.protect(M2, Page_size::SIZE_4K, R | W | X).error(), Error::WRITE_EXEC_REFUSED);
    ASSERT_TRUE(r.pt.protect(M2, Page_size::SIZE_4K, R | X).has_value());
    EXPECT_EQ(r.pt.lookup(M2)->perms, R | X);

    ASSERT_TRUE(r.pt.unmap(0, Page_size::SIZE_2M).has_value());
    EXPECT_FALSE(r.pt.lookup(0x3000).has_value());
    EXPECT_EQ(r.mem.writes.back().new_value, 0u);
}

TEST(PageTable, MapRangeUsesLargePagesWhereAligned)
{
    Rig<Npt_format> r;
    uint64_t const len = 3 * M2 + 2 * K4;
    ASSERT_TRUE(r.pt.map_range(0, 64 * M2, len, R | W | X).has_value());
    for (uint64_t off = 0; off < len; off += K4) {
        auto const m = r.pt.lookup(off);
        ASSERT_TRUE(m.has_value()) << off;
        EXPECT_EQ(m->pa, 64 * M2 + off);
        EXPECT_EQ(m->size, off < 3 * M2 ? Page_size::SIZE_2M : Page_size::SIZE_4K);
    }
    EXPECT_FALSE(r.pt.lookup(len).has_value());

    // A physical side off the 2 MiB grid gets 4 KiB pages only; so does allow_large = false.
    ASSERT_TRUE(r.pt.map_range(64 * M2, K4, M2, R).has_value());
    EXPECT_EQ(r.pt.lookup(64 * M2)->size, Page_size::SIZE_4K);
    ASSERT_TRUE(r.pt.map_range(128 * M2, 0, M2, R, Mem_type::WB, false).has_value());
    EXPECT_EQ(r.pt.lookup(128 * M2)->size, Page_size::SIZE_4K);
    EXPECT_EQ(r.pt.map_range(0, 0, 0, R).error(), Error::MISALIGNED);
    EXPECT_EQ(r.pt.map_range(0, 0, 100, R).error(), Error::MISALIGNED);
    EXPECT_EQ(r.pt.map_range(~0ull - K4 + 1, 0, 2 * K4, R).error(), Error::BAD_ADDRESS);
}

TEST(PageTable, MapRangeIsAllOrNothing)
{
    Rig<Npt_format> r;
    ASSERT_TRUE(r.pt.map(5 * M2 + 3 * K4, 0, Page_size::SIZE_4K, R).has_value());
    // The range runs into that page: everything mapped before it is rolled back.
    EXPECT_EQ(r.pt.map_range(0, 0, 6 * M2, R | W).error(), Error::ALREADY_MAPPED);
    for (uint64_t off = 0; off < 6 * M2; off += K4)
        EXPECT_EQ(r.pt.lookup(off).has_value(), off == 5 * M2 + 3 * K4) << off;

    Rig<Npt_format> small;
    small.alloc.limit = 3; // root, PDPT, PD: no page table for 4 KiB pages
    EXPECT_EQ(small.pt.map_range(0, 0, M2 + K4, R).error(), Error::OUT_OF_MEMORY);
    EXPECT_FALSE(small.pt.lookup(0).has_value());
}

TEST(PageTable, EveryIntermediateStateIsOldOrNew)
{
    Rig<Host_format> r;
    ASSERT_TRUE(r.pt.map_range(0x400000, 0x800000, 3 * K4, R).has_value());
    uint64_t const va = 0x400000, len = 2 * M2 + 4 * K4;
    size_t checks = 0;
    r.mem.after_write = [&] {
        for (uint64_t off = 3 * K4; off < len; off += K4) {
            auto const t = translate(r.mem, r.pt.root(), 0x10000000 + off);
            EXPECT_TRUE(!t || *t == 0x20000000 + off) << std::hex << off;
            ++checks;
        }
        for (uint64_t off = 0; off < 3 * K4; off += K4)
            EXPECT_EQ(translate(r.mem, r.pt.root(), va + off), 0x800000 + off);
    };
    ASSERT_TRUE(r.pt.map_range(0x10000000, 0x20000000, len, R | W).has_value());
    EXPECT_GT(checks, 0u);
    r.mem.after_write = nullptr;
}

TEST(PageTable, UnmapRangeChecksBeforeChanging)
{
    Rig<Npt_format> r;
    ASSERT_TRUE(r.pt.map_range(0, 0, 2 * M2, R).has_value());
    ASSERT_TRUE(r.pt.map_range(4 * M2, 0, 4 * K4, R).has_value());
    size_t const writes = r.mem.writes.size();
    EXPECT_EQ(r.pt.unmap_range(M2 - K4, 2 * K4).error(), Error::SIZE_MISMATCH);
    EXPECT_EQ(r.pt.unmap_range(0, M2 + K4).error(), Error::SIZE_MISMATCH); // first page would go
    EXPECT_EQ(r.mem.writes.size(), writes);
    ASSERT_TRUE(r.pt.unmap_range(0, 4 * M2 + 4 * K4).has_value());
    EXPECT_EQ(r.mem.writes.size(), writes + 2 + 4);
    EXPECT_FALSE(r.pt.lookup(0).has_value());
    EXPECT_FALSE(r.pt.lookup(4 * M2 + 3 * K4).has_value());
    EXPECT_TRUE(r.pt.unmap_range(0, 0).has_value());
}

TEST(PageTable, DestroyFreesEveryTable)
{
    Rig<Ept_format> r;
    ASSERT_TRUE(r.pt.map_range(0, 0, 4 * M2 + K4, R | W | X).has_value());
    ASSERT_TRUE(r.pt.map(1ull << 40, 0, Page_size::SIZE_4K, R).has_value());
    ASSERT_TRUE(
        r.pt.map(0xfee00000, 0xfee00000, Page_size::SIZE_4K, R | W, Mem_type::UC).has_value());
    EXPECT_GT(r.alloc.live.size(), 5u);
    r.pt.destroy();
    EXPECT_TRUE(r.alloc.live.empty());
    EXPECT_STREQ(error_name(Error::WRITE_EXEC_REFUSED),
                 "writable and executable mapping refused (W^X)");
}

} // namespace
