// SPDX-License-Identifier: MIT
#include "hv/vmx/feature_control.hpp"

#include <gtest/gtest.h>

namespace hv::vmx
{
namespace
{

using Action = Feature_control_decision::Action;

TEST(FeatureControl, LockedWithVmxIsReady)
{
    auto const d = decide_feature_control(0x5); // Bochs' BIOS
    EXPECT_EQ(d.action, Action::READY);
}

TEST(FeatureControl, LockedWithoutVmxIsLockedOff)
{
    EXPECT_EQ(decide_feature_control(0x1).action, Action::LOCKED_OFF);
    EXPECT_EQ(decide_feature_control(0x3).action, Action::LOCKED_OFF); // only inside SMX
}

TEST(FeatureControl, UnlockedGetsEnabledAndLocked)
{
    auto const d = decide_feature_control(0x0);
    EXPECT_EQ(d.action, Action::WRITE);
    EXPECT_EQ(d.value, 0x5u);
    auto const keep = decide_feature_control(0x100000); // other bits are kept
    EXPECT_EQ(keep.value, 0x100005u);
}

} // namespace
} // namespace hv::vmx
