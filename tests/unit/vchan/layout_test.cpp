// SPDX-License-Identifier: MIT
// libxenvchan sizing rules and layout.
#include "ward/vchan/layout.hpp"

#include <gtest/gtest.h>

using namespace dom::vchan;

TEST(VchanLayout, SmallRingsLiveInTheControlPage)
{
    auto o = choose_orders(1024, 2048);
    EXPECT_EQ(o.left, 10u);
    EXPECT_EQ(o.right, 11u);
    o = choose_orders(2048, 1024);
    EXPECT_EQ(o.left, 11u);
    EXPECT_EQ(o.right, 10u);
}

TEST(VchanLayout, LargeRingsGetPagesAndRoundUp)
{
    auto o = choose_orders(5000, 65536);
    EXPECT_EQ(o.left, 13u);
    EXPECT_EQ(o.right, 16u);
    EXPECT_EQ(ring_pages(13), 2u);
    EXPECT_EQ(ring_pages(11), 0u);
    o = choose_orders(100, 100000);
    EXPECT_EQ(o.left, 11u); // one in-page ring where it fits
    EXPECT_EQ(o.right, 17u);
}

TEST(VchanLayout, RefusesMoreThanOneMebibyte)
{
    EXPECT_EQ(choose_orders((1u << 20) + 1, 10).left, 0u);
    EXPECT_EQ(choose_orders(1u << 20, 1u << 20).left, 20u);
}

TEST(VchanLayout, GrantsMustNotRunIntoAnInPageRing)
{
    EXPECT_TRUE(grants_fit({20, 20}));  // 512 grants end at 24 + 2048 < 4096
    EXPECT_FALSE(grants_fit({20, 10})); // 256 grants would overlap the ring at 1024
    EXPECT_TRUE(grants_fit({17, 10}));
}
