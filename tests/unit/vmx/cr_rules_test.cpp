// SPDX-License-Identifier: MIT
#include "hv/vmx/cr_rules.hpp"

#include <gtest/gtest.h>

namespace hv::vmx
{
namespace
{

constexpr uint64_t CR4_FIXED1_SKYLAKE = 0x3727ff;

TEST(CrAccess, DecodesQualification)
{
    auto const mov = Cr_access::decode(0x0300); // MOV to CR0 from RBX
    EXPECT_EQ(mov.cr, 0);
    EXPECT_EQ(mov.type, Cr_access_type::MOV_TO_CR);
    EXPECT_EQ(mov.gpr, 3);
    auto const cr4 = Cr_access::decode(0x0404); // MOV to CR4 from RSP
    EXPECT_EQ(cr4.cr, 4);
    EXPECT_EQ(cr4.gpr, 4);
    EXPECT_EQ(Cr_access::decode(0x20).type, Cr_access_type::CLTS);
    auto const lmsw = Cr_access::decode(0x000b0030);
    EXPECT_EQ(lmsw.type, Cr_access_type::LMSW);
    EXPECT_EQ(lmsw.lmsw_source, 0xb);
}

TEST(Cr0Write, PvhLongModeSwitch)
{
    // A PVH kernel's way to long mode: CR4.PAE, CR3, EFER.LME, then CR0.PG.
    uint64_t const start = cr0::PE | cr0::ET;
    uint64_t const efer_lme = efer::LME;
    auto const cr0 = cr0_write(start, start | cr0::PG, efer_lme, cr4::PAE);
    ASSERT_TRUE(cr0);
    EXPECT_EQ(*cr0, start | cr0::PG);
    EXPECT_EQ(efer_with_lma(efer_lme, *cr0), efer::LME | efer::LMA);
    EXPECT_EQ(efer_with_lma(efer::LME | efer::LMA, start), efer::LME); // paging off again
}

TEST(Cr0Write, FaultsLikeTheCpu)
{
    uint64_t const pe = cr0::PE | cr0::ET;
    EXPECT_FALSE(cr0_write(pe, cr0::PG, 0, 0));              // PG without PE
    EXPECT_FALSE(cr0_write(pe, pe | cr0::PG, efer::LME, 0)); // long mode without PAE
    EXPECT_FALSE(cr0_write(pe, pe | cr0::NW, 0, 0));         // NW without CD
    EXPECT_FALSE(cr0_write(pe, pe | (1ull << 32), 0, 0));    // upper half reserved
    EXPECT_TRUE(cr0_write(pe, pe | cr0::PG, 0, 0));          // 32-bit paging is fine
    EXPECT_TRUE(cr0_write(pe, pe | cr0::CD | cr0::NW, 0, 0));
    EXPECT_EQ(*cr0_write(pe, cr0::PE, 0, 0), pe); // ET stays set
}

TEST(Cr0Write, LmswCannotClearPe)
{
    uint64_t const cr0 = cr0::PE | cr0::ET | cr0::TS;
    EXPECT_EQ(lmsw_value(cr0, 0x0), cr0::PE | cr0::ET);
    EXPECT_EQ(lmsw_value(cr0::ET, 0x3), cr0::ET | cr0::PE | cr0::MP);
}

TEST(Cr4Write, ReservedVmxeAndPae)
{
    EXPECT_TRUE(cr4_write_valid(cr4::PAE, CR4_FIXED1_SKYLAKE, 0));
    EXPECT_FALSE(cr4_write_valid(cr4::VMXE, CR4_FIXED1_SKYLAKE, 0));
    EXPECT_FALSE(cr4_write_valid(1ull << 22, CR4_FIXED1_SKYLAKE, 0)); // not in FIXED1
    EXPECT_FALSE(cr4_write_valid(0, CR4_FIXED1_SKYLAKE, efer::LMA | efer::LME));
    EXPECT_TRUE(cr4_write_valid(cr4::PAE | (1ull << 7), CR4_FIXED1_SKYLAKE, efer::LMA));
}

} // namespace
} // namespace hv::vmx
