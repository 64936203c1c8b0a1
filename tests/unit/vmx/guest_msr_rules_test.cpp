// SPDX-License-Identifier: MIT
#include "hv/vmx/guest_msr_rules.hpp"

#include <gtest/gtest.h>

namespace hv::vmx
{
namespace
{

TEST(GuestRules, Canonical)
{
    EXPECT_TRUE(canonical(0));
    EXPECT_TRUE(canonical(0x00007fffffffffffull));
    EXPECT_TRUE(canonical(0xffff800000000000ull));
    EXPECT_FALSE(canonical(0x0000800000000000ull));
    EXPECT_FALSE(canonical(0x8000000000000000ull));
}

TEST(GuestRules, Pat)
{
    EXPECT_TRUE(pat_valid(0x0007040600070406ull)); // power-on default
    EXPECT_TRUE(pat_valid(0x0706050401000706ull));
    EXPECT_FALSE(pat_valid(0x0007040600070402ull)); // type 2 is reserved
    EXPECT_FALSE(pat_valid(0x0807040600070406ull)); // > 7
}

TEST(GuestRules, Efer)
{
    EXPECT_TRUE(efer_write_valid(0, EFER_LME | EFER_SCE | EFER_NXE, false));
    EXPECT_FALSE(efer_write_valid(0, 1ull << 12, false)); // SVME is not the guest's
    EXPECT_FALSE(efer_write_valid(0, EFER_LME, true));    // LME flip with paging on
    EXPECT_TRUE(efer_write_valid(EFER_LME | EFER_LMA, EFER_LME | EFER_LMA | EFER_NXE, true));
}

TEST(GuestRules, Rflags)
{
    EXPECT_EQ(sanitize_rflags(0), 0x2u);
    EXPECT_EQ(sanitize_rflags(0x202), 0x202u);
    EXPECT_EQ(sanitize_rflags(~0ull), 0x3f7fd7ull & ~0x8ull);
    EXPECT_EQ(sanitize_rflags(~0ull) & ((1ull << 15) | (1ull << 5) | (1ull << 3)), 0u);
}

} // namespace
} // namespace hv::vmx
