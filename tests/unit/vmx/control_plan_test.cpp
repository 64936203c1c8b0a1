// SPDX-License-Identifier: MIT
#include "hv/vmx/control_plan.hpp"

#include <cstring>

#include <gtest/gtest.h>

#include "skylake_msrs.hpp"

namespace hv::vmx
{
namespace
{

Result<Control_plan, Missing> plan(test::Fake_msrs const &m)
{
    return plan_controls(read_capabilities(m));
}

TEST(AdjustControls, AddsMustBeOneAndOfferedOptionalBits)
{
    Allowed_controls const a{0x16, 0x7f};
    auto const r = adjust_controls(a, {0x01, 0x40 | 0x80});
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 0x16u | 0x01u | 0x40u); // 0x80 not offered, silently dropped
}

TEST(AdjustControls, NamesRequiredBitsTheCpuForbids)
{
    auto const r = adjust_controls({0x16, 0x7f}, {0x81, 0});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().bits, 0x80u);
}

TEST(AdjustControls, ResultIsAlwaysValid)
{
    Allowed_controls const a{0x04006172, 0xf7f9fffe};
    for (uint32_t want : {0u, 0x81000080u, 0xffffffffu & 0xf7f9fffeu}) {
        auto const r = adjust_controls(a, {want, 0});
        ASSERT_TRUE(r);
        EXPECT_TRUE(controls_valid(a, *r));
    }
}

TEST(ControlPlan, SkylakeMatchesTheBochsRecordedControls)
{
    auto const p = plan(test::skylake_x());
    ASSERT_TRUE(p) << describe(p.error());
    EXPECT_EQ(p->pin,
              0x16u | pin::EXTERNAL_INTERRUPT_EXITING | pin::NMI_EXITING | pin::PREEMPTION_TIMER);
    EXPECT_TRUE(p->preemption_timer);
    EXPECT_EQ(p->preemption_timer_shift, 0);
    EXPECT_EQ(p->proc, 0x850061f2u); // testbeds.md 4.5: secondary, unconditional I/O, HLT
    EXPECT_EQ(p->proc2, proc2::ENABLE_EPT | proc2::UNRESTRICTED_GUEST | proc2::ENABLE_VPID |
                            proc2::ENABLE_RDTSCP | proc2::ENABLE_INVPCID);
    EXPECT_EQ(p->exit, 0x36ffbu | exit_ctl::SAVE_EFER | exit_ctl::LOAD_EFER | exit_ctl::SAVE_PAT |
                           exit_ctl::LOAD_PAT);
    EXPECT_EQ(p->entry_controls(true),
              0x13fbu | entry_ctl::LOAD_EFER | entry_ctl::LOAD_PAT); // 0x13fb + EFER/PAT
    EXPECT_EQ(p->entry_controls(false) & entry_ctl::IA32E_MODE_GUEST, 0u);
    EXPECT_TRUE(p->vpid);
    EXPECT_EQ(p->invept, Invept_type::SINGLE_CONTEXT);
    EXPECT_EQ(p->invvpid, Invvpid_type::SINGLE_CONTEXT);
    EXPECT_TRUE(p->ept_large_pages);
    EXPECT_EQ(p->proc & (proc::CR3_LOAD_EXITING | proc::CR3_STORE_EXITING), 0u);
}

TEST(ControlPlan, EveryControlWordIsValidForTheCpu)
{
    for (auto const &m : {test::skylake_x(), test::tigerlake(), test::haswell()}) {
        auto const c = read_capabilities(m);
        auto const p = plan_controls(c);
        ASSERT_TRUE(p);
        EXPECT_TRUE(controls_valid(c.pin, p->pin));
        EXPECT_TRUE(controls_valid(c.proc, p->proc));
        EXPECT_TRUE(controls_valid(c.proc2, p->proc2));
        EXPECT_TRUE(controls_valid(c.exit, p->exit));
        EXPECT_TRUE(controls_valid(c.entry, p->entry_controls(true)));
        EXPECT_TRUE(controls_valid(c.entry, p->entry_controls(false)));
    }
}

struct Missing_case
{
    char const *name;
    uint32_t msr;
    uint64_t clear;
    Missing expected;
};

class ControlPlanMissing : public ::testing::TestWithParam<Missing_case>
{};

TEST_P(ControlPlanMissing, NamesWhatIsMissing)
{
    auto m = test::skylake_x();
    m.values[GetParam().msr] &= ~GetParam().clear;
    auto const p = plan(m);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), GetParam().expected);
    EXPECT_NE(std::strstr(describe(p.error()), " "), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Features, ControlPlanMissing,
    ::testing::Values(
        Missing_case{"ept", msr::VMX_PROCBASED_CTLS2, 1ull << 33, Missing::EPT},
        Missing_case{"unrestricted", msr::VMX_PROCBASED_CTLS2, 1ull << 39,
                     Missing::UNRESTRICTED_GUEST},
        Missing_case{"secondary", msr::VMX_TRUE_PROCBASED_CTLS, 1ull << 63,
                     Missing::SECONDARY_CONTROLS},
        Missing_case{"hlt", msr::VMX_TRUE_PROCBASED_CTLS, 1ull << 39, Missing::HLT_EXIT},
        Missing_case{"io", msr::VMX_TRUE_PROCBASED_CTLS, 1ull << 56, Missing::IO_EXIT},
        Missing_case{"extint", msr::VMX_TRUE_PINBASED_CTLS, 1ull << 32,
                     Missing::EXTERNAL_INTERRUPT_EXIT},
        Missing_case{"host64", msr::VMX_TRUE_EXIT_CTLS, 1ull << 41, Missing::HOST_64BIT},
        Missing_case{"efer", msr::VMX_TRUE_EXIT_CTLS, 1ull << 53, Missing::EFER_SWITCH},
        Missing_case{"ia32e", msr::VMX_TRUE_ENTRY_CTLS, 1ull << 41, Missing::IA32E_GUEST},
        Missing_case{"walk4", msr::VMX_EPT_VPID_CAP, 1ull << 6, Missing::EPT_WALK_LENGTH_4},
        Missing_case{"eptwb", msr::VMX_EPT_VPID_CAP, 1ull << 14, Missing::EPT_WRITE_BACK},
        Missing_case{"invept", msr::VMX_EPT_VPID_CAP, 1ull << 20, Missing::INVEPT},
        Missing_case{"vmcswb", msr::VMX_BASIC, 0xfull << 50, Missing::VMCS_MEMORY_TYPE}),
    [](auto const &info) { return std::string{info.param.name}; });

TEST(ControlPlan, LegacyControlsThatForceCr3ExitsAreRefused)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_BASIC] &= ~(1ull << 55); // no TRUE_* MSRs: CR3 exiting is must-be-one
    auto const p = plan(m);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), Missing::CR3_EXIT_CLEARABLE);
}

TEST(ControlPlan, VpidLeftOffWithoutInvvpid)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_EPT_VPID_CAP] &= ~(1ull << 32);
    auto const p = plan(m);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->vpid);
    EXPECT_EQ(p->proc2 & proc2::ENABLE_VPID, 0u);
}

TEST(ControlPlan, VpidLeftOffWhenNotOffered)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_PROCBASED_CTLS2] &= ~(1ull << 37);
    auto const p = plan(m);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->vpid);
}

TEST(ControlPlan, AllContextInveptWhenSingleMissing)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_EPT_VPID_CAP] &= ~(1ull << 25);
    auto const p = plan(m);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->invept, Invept_type::ALL_CONTEXT);
}

TEST(ControlPlan, PreemptionTimerIsOptional)
{
    auto m = test::skylake_x();
    m.values[msr::VMX_TRUE_PINBASED_CTLS] &= ~(1ull << 38);
    auto const p = plan(m);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->preemption_timer);
    EXPECT_EQ(p->pin & pin::PREEMPTION_TIMER, 0u);
}

TEST(ControlPlan, TigerlakeAndHaswellPass)
{
    EXPECT_TRUE(plan(test::tigerlake()));
    EXPECT_TRUE(plan(test::haswell()));
}

TEST(Eptp, FourLevelWriteBack)
{
    EXPECT_EQ(make_eptp(0x123000), 0x12301eu);
    EXPECT_EQ(make_eptp(0x123fff) & ~0xfffull, 0x123000u);
}

} // namespace
} // namespace hv::vmx
