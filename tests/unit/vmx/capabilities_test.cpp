// SPDX-License-Identifier: MIT
#include "hv/vmx/capabilities.hpp"

#include <gtest/gtest.h>

#include "skylake_msrs.hpp"

namespace hv::vmx
{
namespace
{

TEST(VmxBasic, DecodesBochsSkylake)
{
    auto const b = Vmx_basic::decode(0xd810000000002b);
    EXPECT_EQ(b.revision, 0x2bu);
    EXPECT_EQ(b.region_size, 4096u);
    EXPECT_EQ(b.memory_type, 6);
    EXPECT_TRUE(b.ins_outs_info);
    EXPECT_TRUE(b.true_controls);
    EXPECT_FALSE(b.phys_addr_32);
}

TEST(VmxBasic, RevisionIgnoresBit31)
{
    EXPECT_EQ(Vmx_basic::decode(0x80000001ull).revision, 1u);
}

TEST(AllowedControls, SplitsMsrHalves)
{
    auto const a = Allowed_controls::from_msr(0x7f00000016);
    EXPECT_EQ(a.must_be_one, 0x16u);
    EXPECT_EQ(a.may_be_one, 0x7fu);
    EXPECT_TRUE(a.allows(0x41));
    EXPECT_FALSE(a.allows(0x80));
}

TEST(ReadCapabilities, UsesTrueControlsWhenBasicBit55Set)
{
    auto const m = test::skylake_x();
    auto const c = read_capabilities(m);
    // TRUE_PROCBASED clears CR3 load/store exiting from the must-be-one set.
    EXPECT_EQ(c.proc.must_be_one, 0x04006172u);
    EXPECT_EQ(c.exit.must_be_one, 0x00036dfbu);
    EXPECT_EQ(c.entry.must_be_one, 0x11fbu);
    EXPECT_EQ(m.reads[msr::VMX_PROCBASED_CTLS], 0);
    EXPECT_EQ(m.reads[msr::VMX_TRUE_PROCBASED_CTLS], 1);
}

TEST(ReadCapabilities, UsesLegacyControlsWithoutBit55)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_BASIC] &= ~(1ull << 55);
    auto const c = read_capabilities(m);
    EXPECT_EQ(c.proc.must_be_one, 0x0401e172u);
    EXPECT_EQ(m.reads[msr::VMX_TRUE_PROCBASED_CTLS], 0);
}

TEST(ReadCapabilities, DecodesEptVpidCaps)
{
    auto const c = read_capabilities(test::skylake_x());
    EXPECT_TRUE(c.ept_vpid.execute_only);
    EXPECT_TRUE(c.ept_vpid.walk_length_4);
    EXPECT_TRUE(c.ept_vpid.memtype_uc);
    EXPECT_TRUE(c.ept_vpid.memtype_wb);
    EXPECT_TRUE(c.ept_vpid.pde_2m);
    EXPECT_TRUE(c.ept_vpid.pdpte_1g);
    EXPECT_TRUE(c.ept_vpid.invept);
    EXPECT_TRUE(c.ept_vpid.accessed_dirty);
    EXPECT_TRUE(c.ept_vpid.invept_single);
    EXPECT_TRUE(c.ept_vpid.invept_all);
    EXPECT_TRUE(c.ept_vpid.invvpid);
    EXPECT_TRUE(c.ept_vpid.invvpid_address);
    EXPECT_TRUE(c.ept_vpid.invvpid_single);
    EXPECT_TRUE(c.ept_vpid.invvpid_all);
    EXPECT_TRUE(c.ept_vpid.invvpid_single_keep_globals);
}

TEST(ReadCapabilities, SkipsSecondaryMsrWhenPrimaryCannotActivateIt)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_TRUE_PROCBASED_CTLS] &= ~(1ull << 63);
    auto const c = read_capabilities(m);
    EXPECT_EQ(m.reads[msr::VMX_PROCBASED_CTLS2], 0);
    EXPECT_EQ(m.reads[msr::VMX_EPT_VPID_CAP], 0);
    EXPECT_EQ(c.proc2.may_be_one, 0u);
    EXPECT_FALSE(c.ept_vpid.walk_length_4);
}

TEST(ReadCapabilities, SkipsEptCapWhenNeitherEptNorVpid)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_PROCBASED_CTLS2] &= ~((1ull << 33) | (1ull << 37));
    (void)read_capabilities(m);
    EXPECT_EQ(m.reads[msr::VMX_EPT_VPID_CAP], 0);
}

TEST(ReadCapabilities, DecodesMisc)
{
    auto const c = read_capabilities(test::skylake_x());
    EXPECT_EQ(c.misc.preemption_timer_shift, 0);
    EXPECT_TRUE(c.misc.stores_lma);
    EXPECT_TRUE(c.misc.activity_hlt);
    EXPECT_TRUE(c.misc.activity_shutdown);
    EXPECT_TRUE(c.misc.activity_wait_sipi);
    EXPECT_EQ(c.misc.cr3_target_count, 4);
    EXPECT_EQ(c.misc.max_msr_list, 512u);
    EXPECT_TRUE(c.misc.vmwrite_exit_fields);
}

TEST(FixedBits, Cr0FromBochsNeedsNeAndKeepsCdNw)
{
    auto const c = read_capabilities(test::skylake_x());
    // GRUB enters with NE clear (CR0 = 0x60000011 before paging); the host forces NE and PG.
    EXPECT_EQ(c.cr0.apply(0x60000011), 0xe0000031u);
    EXPECT_EQ(c.cr0.violations(0x60000011), 0x80000020u);
    EXPECT_TRUE(c.cr0.valid(0xe0000031));
}

TEST(FixedBits, Cr4NeedsVmxeAndRejectsUnsupportedBits)
{
    auto const c = read_capabilities(test::skylake_x());
    EXPECT_EQ(c.cr4.apply(0x20), 0x2020u);
    EXPECT_FALSE(c.cr4.valid(0x20));
    EXPECT_TRUE(c.cr4.valid(0x2020));
    // Bit 22 (PKS) is not in FIXED1 on this model.
    EXPECT_EQ(c.cr4.violations(0x2020 | (1ull << 22)), 1ull << 22);
}

TEST(FixedBits, UnrestrictedGuestRelaxesPeAndPgOnly)
{
    auto const c = read_capabilities(test::skylake_x());
    EXPECT_FALSE(c.guest_cr0(false).valid(0x30));
    EXPECT_TRUE(c.guest_cr0(true).valid(0x30));  // real mode, NE|ET
    EXPECT_TRUE(c.guest_cr0(true).valid(0x31));  // protected mode, paging off (PVH entry)
    EXPECT_FALSE(c.guest_cr0(true).valid(0x11)); // NE still required
}

} // namespace
} // namespace hv::vmx
