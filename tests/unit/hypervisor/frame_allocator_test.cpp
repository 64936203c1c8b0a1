// SPDX-License-Identifier: MIT
#include "hv/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "hv/memory_account.hpp"

using hv::FRAME_SIZE;
using Fa = hv::Frame_allocator;

namespace
{

constexpr uint64_t MiB = 1ull << 20;

struct Allocator_fixture : ::testing::Test
{
    // 64 MiB of address space: RAM 0-640K and 1M-60M, as a PC memory map would say.
    std::vector<uint64_t> storage = std::vector<uint64_t>(Fa::storage_words(64 * MiB));
    Fa fa = Fa::create(storage, 64 * MiB).expect("storage sized by storage_words");

    void SetUp() override
    {
        fa.add_available(0, 0x9fc00);
        fa.add_available(MiB, 59 * MiB);
    }
};

TEST(FrameAllocator, StorageMustCoverTheRange)
{
    std::vector<uint64_t> small(Fa::storage_words(64 * MiB) - 1);
    EXPECT_EQ(Fa::create(small, 64 * MiB).error(), Fa::Error::STORAGE_TOO_SMALL);
    EXPECT_EQ(Fa::storage_words(4096 * 64), 2u);
    EXPECT_EQ(Fa::storage_words(4096 * 64 + 1), 4u);
}

TEST_F(Allocator_fixture, AddsOnlyWholeFramesOfAvailableRam)
{
    EXPECT_EQ(fa.managed_frames(), 159u + 59 * 256);
    EXPECT_TRUE(fa.is_free(0x9e000));
    EXPECT_FALSE(fa.is_free(0x9f000)); // partly available only
    EXPECT_FALSE(fa.is_free(0xa0000));
    EXPECT_FALSE(fa.is_free(60 * MiB));
    fa.add_available(MiB, MiB); // again: no double counting
    EXPECT_EQ(fa.managed_frames(), 159u + 59 * 256);
    fa.add_available(60 * MiB, ~0ull); // clipped to the end, no overflow
    EXPECT_EQ(fa.managed_frames(), 159u + 63 * 256);
    fa.add_available(~0ull - 100, 50);
}

TEST_F(Allocator_fixture, NeverHandsOutReservedMemory)
{
    ASSERT_TRUE(fa.reserve(0, MiB).has_value());               // low 1 MiB
    ASSERT_TRUE(fa.reserve(2 * MiB + 5, 3 * MiB).has_value()); // image, rounded outward
    ASSERT_TRUE(fa.reserve(8 * MiB, 1).has_value());           // one module byte
    fa.add_available(0, 64 * MiB);                             // reserved stays out
    EXPECT_TRUE(fa.is_reserved(2 * MiB));
    EXPECT_TRUE(fa.is_reserved(5 * MiB));
    EXPECT_FALSE(fa.is_reserved(5 * MiB + FRAME_SIZE));
    std::set<uint64_t> seen;
    for (;;) {
        auto const f = fa.alloc();
        if (!f) {
            EXPECT_EQ(f.error(), Fa::Error::OUT_OF_MEMORY);
            break;
        }
        EXPECT_TRUE(seen.insert(*f).second) << std::hex << *f;
        EXPECT_GE(*f, MiB);
        EXPECT_FALSE(*f >= 2 * MiB && *f < 5 * MiB + FRAME_SIZE) << std::hex << *f;
        EXPECT_NE(*f, 8 * MiB);
    }
    EXPECT_EQ(seen.size(), (64 - 1) * 256u - (3 * 256 + 1) - 1);
    EXPECT_EQ(fa.free_frames(), 0u);
    EXPECT_EQ(fa.free(2 * MiB).error(), Fa::Error::RESERVED);
    EXPECT_EQ(fa.free(0).error(), Fa::Error::RESERVED);
}

TEST_F(Allocator_fixture, FreeChecksItsArgument)
{
    auto const f = fa.alloc();
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(fa.free(*f + 1).error(), Fa::Error::MISALIGNED);
    EXPECT_EQ(fa.free(64 * MiB).error(), Fa::Error::OUT_OF_RANGE);
    EXPECT_EQ(fa.free(~0ull & ~(FRAME_SIZE - 1)).error(), Fa::Error::OUT_OF_RANGE);
    EXPECT_EQ(fa.free(0xa0000).error(), Fa::Error::NOT_MANAGED);
    uint64_t const before = fa.free_frames();
    ASSERT_TRUE(fa.free(*f).has_value());
    EXPECT_EQ(fa.free_frames(), before + 1);
    EXPECT_EQ(fa.free(*f).error(), Fa::Error::DOUBLE_FREE);
    EXPECT_EQ(fa.alloc(hv::FRAME_ORDER_MAX + 1).error(), Fa::Error::BAD_ORDER);
    EXPECT_EQ(fa.free(0, hv::FRAME_ORDER_MAX + 1).error(), Fa::Error::BAD_ORDER);
}

TEST_F(Allocator_fixture, NaturallyAlignedRunsIncluding2MiB)
{
    ASSERT_TRUE(fa.alloc().has_value()); // leave frame 0 taken so runs must skip
    for (unsigned order : {1u, 3u, 5u, 6u, 7u, hv::FRAME_ORDER_2M}) {
        auto const r = fa.alloc(order);
        ASSERT_TRUE(r.has_value()) << order;
        uint64_t const bytes = FRAME_SIZE << order;
        EXPECT_EQ(*r % bytes, 0u) << order;
        for (uint64_t p = *r; p < *r + bytes; p += FRAME_SIZE)
            EXPECT_FALSE(fa.is_free(p));
    }
    // 59 MiB of RAM from 1 MiB holds 29 aligned 2 MiB runs (2..60 MiB); the order-9 run above
    // took the first, the smaller runs came from the low 640 KiB and 1..1.5 MiB.
    unsigned big = 0;
    std::vector<uint64_t> runs;
    while (auto r = fa.alloc(hv::FRAME_ORDER_2M)) {
        runs.push_back(*r);
        ++big;
    }
    EXPECT_EQ(big, 28u);
    uint64_t const before = fa.free_frames();
    for (uint64_t r : runs)
        ASSERT_TRUE(fa.free(r, hv::FRAME_ORDER_2M).has_value());
    EXPECT_EQ(fa.free_frames(), before + runs.size() * 512);
    EXPECT_EQ(fa.alloc(hv::FRAME_ORDER_MAX).error(), Fa::Error::OUT_OF_MEMORY);
}

TEST(FrameAllocator, FullLargeRunAtTheTopOfMemory)
{
    std::vector<uint64_t> storage(Fa::storage_words(4 * MiB));
    Fa fa = Fa::create(storage, 4 * MiB).expect("sized by storage_words");
    fa.add_available(2 * MiB, 2 * MiB);
    auto const r = fa.alloc(hv::FRAME_ORDER_2M);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, 2 * MiB);
    EXPECT_EQ(fa.alloc().error(), Fa::Error::OUT_OF_MEMORY);
    EXPECT_STREQ(Fa::error_name(Fa::Error::DOUBLE_FREE), "frame is already free");
}

TEST(FrameAllocator, ReservedTableIsBounded)
{
    std::vector<uint64_t> storage(Fa::storage_words(MiB));
    Fa fa = Fa::create(storage, MiB).expect("sized by storage_words");
    for (size_t i = 0; i < Fa::MAX_RESERVED; ++i)
        ASSERT_TRUE(fa.reserve(i * FRAME_SIZE, 1).has_value());
    EXPECT_EQ(fa.reserve(0, 1).error(), Fa::Error::TOO_MANY_RESERVED);
    EXPECT_TRUE(fa.reserve(0, 0).has_value());
    EXPECT_TRUE(fa.reserve(~0ull - 10, 100).has_value() ||
                fa.reserve(~0ull - 10, 100).error() == Fa::Error::TOO_MANY_RESERVED);
}

TEST(MemoryAccount, ChargesUpToTheLimit)
{
    hv::Memory_account acct{10};
    EXPECT_TRUE(acct.charge(4).has_value());
    EXPECT_TRUE(acct.charge(6).has_value());
    EXPECT_EQ(acct.charge(1).error(), hv::Memory_account::Error::OVER_LIMIT);
    EXPECT_EQ(acct.used(), 10u);
    EXPECT_TRUE(acct.uncharge(7).has_value());
    EXPECT_EQ(acct.available(), 7u);
    EXPECT_EQ(acct.charge(~0ull).error(), hv::Memory_account::Error::OVER_LIMIT);
    EXPECT_EQ(acct.uncharge(4).error(), hv::Memory_account::Error::UNDERFLOW);
    EXPECT_EQ(acct.used(), 3u);
    EXPECT_EQ(acct.peak(), 10u);
    static_assert(hv::Memory_account{2}.limit() == 2);
}

} // namespace
