// SPDX-License-Identifier: MIT
#include "hv/grant_table.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace hv::gnttab;

namespace
{

struct Granter
{
    explicit Granter(size_t entries = 512) : shared(entries), table{1, shared, 0x8000} {}
    std::vector<Grant_entry_v1> shared;
    Grant_table table;
};

auto resolver(Grant_table *only)
{
    return [only](Domid id) { return only != nullptr && only->self() == id ? only : nullptr; };
}

TEST(GrantTable, MapsOnlyWhatWasGrantedToTheMapper)
{
    Granter g;
    g.shared[5] = make_entry(GTF_PERMIT_ACCESS, 2, 0x1234);
    g.shared[6] = make_entry(GTF_PERMIT_ACCESS | GTF_READONLY, 2, 0x1235);
    g.shared[7] = make_entry(GTF_PERMIT_ACCESS, 3, 0x1236);
    g.shared[8] = make_entry(GTF_ACCEPT_TRANSFER, 2, 0x1237);
    Maptrack m2{2};
    Maptrack m3{3};

    auto const h = m2.map(g.table, 5, GNTMAP_HOST_MAP, 0x40000000);
    ASSERT_TRUE(h.has_value()) << status_name(h.error());
    EXPECT_EQ(g.table.flags(5), GTF_PERMIT_ACCESS | GTF_READING | GTF_WRITING);
    EXPECT_EQ(m3.map(g.table, 5, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR);
    EXPECT_EQ(m3.map(g.table, 6, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR);
    EXPECT_EQ(m2.map(g.table, 7, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR);
    EXPECT_EQ(m2.map(g.table, 8, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR);
    EXPECT_EQ(m2.map(g.table, 9, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR); // invalid
    EXPECT_EQ(m2.map(g.table, 512, GNTMAP_HOST_MAP, 0).error(), Status::BAD_GNTREF);
    EXPECT_EQ(m2.map(g.table, ~0u, GNTMAP_HOST_MAP, 0).error(), Status::BAD_GNTREF);
    // A read-only grant maps read-only only.
    EXPECT_EQ(m2.map(g.table, 6, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR);
    auto const ro = m2.map(g.table, 6, GNTMAP_HOST_MAP | GNTMAP_READONLY, 0x40001000);
    ASSERT_TRUE(ro.has_value());
    EXPECT_EQ(g.table.flags(6), GTF_PERMIT_ACCESS | GTF_READONLY | GTF_READING);
    EXPECT_EQ(m2.count(), 2u);
    // Failed attempts changed nothing.
    EXPECT_EQ(g.table.flags(7), GTF_PERMIT_ACCESS);
    EXPECT_EQ(g.table.pins(7), 0u);
}

TEST(GrantTable, OwnGrantsBadFlagsAndBadFramesAreRefused)
{
    Granter g;
    g.shared[1] = make_entry(GTF_PERMIT_ACCESS, 1, 0x10);
    g.shared[2] = make_entry(GTF_PERMIT_ACCESS, 2, 0x8000); // beyond the granter's memory
    g.shared[3] = make_entry(GTF_PERMIT_ACCESS, 2, 0x11);
    Maptrack self{1};
    Maptrack m{2};
    EXPECT_EQ(self.map(g.table, 1, GNTMAP_HOST_MAP, 0).error(), Status::PERMISSION_DENIED);
    EXPECT_EQ(m.map(g.table, 2, GNTMAP_HOST_MAP, 0).error(), Status::BAD_PAGE);
    EXPECT_EQ(g.table.flags(2), GTF_PERMIT_ACCESS); // the pin was undone
    EXPECT_EQ(m.map(g.table, 3, 0, 0).error(), Status::BAD_GNTREF);
    EXPECT_EQ(m.map(g.table, 3, GNTMAP_DEVICE_MAP, 0).error(), Status::BAD_DEV_ADDR);
    EXPECT_EQ(m.map(g.table, 3, GNTMAP_HOST_MAP, 0x123).error(), Status::BAD_VIRT_ADDR);
    EXPECT_EQ(m.count(), 0u);
    EXPECT_STREQ(status_name(Status::BAD_GNTREF), "unrecognised or inappropriate grant reference");
}

TEST(GrantTable, BusyUntilTheLastUnmap)
{
    Granter g;
    g.shared[4] = make_entry(GTF_PERMIT_ACCESS, 2, 0x99);
    Maptrack m{2};
    Handle const w = *m.map(g.table, 4, GNTMAP_HOST_MAP, 0x1000);
    Handle const r = *m.map(g.table, 4, GNTMAP_HOST_MAP | GNTMAP_READONLY, 0x2000);
    EXPECT_EQ(g.table.pins(4), 2u);

    // The granter tries to end the grant: refused while mapped, as with Xen.
    EXPECT_FALSE(g.table.try_end_access(4));
    // A granter that rewrites the frame field while the entry is pinned moves nothing: further
    // maps of the pinned entry get the frame read at the first pin.
    g.shared[4].frame = 0x55;
    auto const again = m.map(g.table, 4, GNTMAP_HOST_MAP | GNTMAP_READONLY, 0x3000);
    ASSERT_TRUE(again.has_value());
    auto const rel = resolver(&g.table);
    EXPECT_EQ(m.unmap(*again, rel)->frame, 0x99u);

    auto const first = m.unmap(w, rel);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->host_addr, 0x1000u);
    EXPECT_FALSE(first->readonly);
    EXPECT_EQ(g.table.flags(4), GTF_PERMIT_ACCESS | GTF_READING); // writer gone, reader left
    EXPECT_FALSE(g.table.try_end_access(4));
    ASSERT_TRUE(m.unmap(r, rel).has_value());
    EXPECT_EQ(g.table.flags(4), GTF_PERMIT_ACCESS);
    EXPECT_EQ(m.unmap(r, rel).error(), Status::BAD_HANDLE); // double unmap
    EXPECT_EQ(m.unmap(MAX_MAPS, rel).error(), Status::BAD_HANDLE);
    EXPECT_TRUE(g.table.try_end_access(4));
    EXPECT_EQ(g.table.flags(4), GTF_INVALID);
    EXPECT_EQ(m.map(g.table, 4, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR);
}

TEST(GrantTable, OneMapperPerPinnedEntry)
{
    Granter g;
    g.shared[2] = make_entry(GTF_PERMIT_ACCESS, 2, 0x20);
    Maptrack a{2};
    Maptrack b{3};
    ASSERT_TRUE(a.map(g.table, 2, GNTMAP_HOST_MAP, 0).has_value());
    g.shared[2].flags_domid = (g.shared[2].flags_domid & 0xffff) | (3u << 16); // re-aimed
    EXPECT_EQ(b.map(g.table, 2, GNTMAP_HOST_MAP, 0).error(), Status::GENERAL_ERROR);
}

TEST(GrantTable, HandlesRunOutAndDyingMappersAreCleanedUp)
{
    static_assert(MAX_MAPS >= 257, "a 1 MiB vchan ring and its control page");
    constexpr Grant_ref SPARE = MAX_MAPS + 43; // granted, but past the last handle
    static_assert(SPARE < MAX_GRANTS);
    Granter g{SPARE + 1};
    for (Grant_ref r = 0; r <= SPARE; ++r)
        g.shared[r] = make_entry(GTF_PERMIT_ACCESS, 2, r);
    Maptrack m{2};
    for (Grant_ref r = 0; r < MAX_MAPS; ++r)
        ASSERT_TRUE(m.map(g.table, r, GNTMAP_HOST_MAP, r * 4096ull).has_value());
    EXPECT_EQ(m.map(g.table, SPARE, GNTMAP_HOST_MAP, 0).error(), Status::NO_SPACE);
    EXPECT_EQ(g.table.pins(SPARE), 0u);
    size_t ended = 0;
    m.release_all(resolver(&g.table), [&](Mapping const &mp) {
        EXPECT_EQ(mp.granter, 1u);
        ++ended;
    });
    EXPECT_EQ(ended, MAX_MAPS);
    EXPECT_EQ(m.count(), 0u);
    for (Grant_ref r = 0; r < MAX_MAPS; ++r)
        ASSERT_EQ(g.table.flags(r), GTF_PERMIT_ACCESS) << r;

    // A granter that died first: unmapping still frees the handle.
    Handle const h = *m.map(g.table, 7, GNTMAP_HOST_MAP, 0);
    EXPECT_TRUE(m.unmap(h, resolver(nullptr)).has_value());
    EXPECT_EQ(m.count(), 0u);
}

} // namespace
