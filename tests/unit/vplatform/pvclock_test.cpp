// SPDX-License-Identifier: MIT
#include "hv/vplatform/pvclock.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace
{

using hv::vplatform::pvclock_scale;
using hv::vplatform::pvclock_scale_delta;

TEST(Pvclock, OneSecondOfTicksIsOneSecondWithinAPartPerMillion)
{
    for (uint64_t hz : {1000000ull, 14318180ull, 999999999ull, 1000000000ull, 1000000001ull,
                        2000000000ull, 2600000000ull, 3999999999ull, 5000000000ull}) {
        auto const s = pvclock_scale(hz);
        for (uint64_t secs : {1ull, 60ull, 3600ull}) {
            double const ns = static_cast<double>(pvclock_scale_delta(hz * secs, s));
            double const want = 1e9 * static_cast<double>(secs);
            EXPECT_LT(std::fabs(ns - want) / want, 1e-6) << hz << " Hz over " << secs << " s";
        }
    }
}

TEST(Pvclock, ScaleIsNormalisedAsXenDoes)
{
    // The shifted rate lands in (1e9, 2e9], so mul is in [2^31, 2^32).
    for (uint64_t hz : {1000000ull, 1000000000ull, 2600000000ull, 9000000000ull}) {
        auto const s = pvclock_scale(hz);
        EXPECT_GE(s.mul, 1u << 31) << hz;
        double const rate = std::ldexp(static_cast<double>(hz), s.shift);
        EXPECT_GT(rate, 1e9) << hz;
        EXPECT_LE(rate, 2e9) << hz;
    }
    EXPECT_EQ(pvclock_scale(2000000000).shift, 0);
    EXPECT_EQ(pvclock_scale(4000000002).shift, -1);
    EXPECT_EQ(pvclock_scale(1000000000).shift, 1);
}

TEST(Pvclock, PublishLeavesAnEvenVersionAndTheRecord)
{
    hv::vplatform::Vcpu_time_info t{};
    auto const s = pvclock_scale(2600000000);
    hv::vplatform::pvclock_publish(t, 123456, 789, s, hv::vplatform::PVCLOCK_TSC_STABLE_BIT);
    EXPECT_EQ(t.version, 2u);
    EXPECT_EQ(t.tsc_timestamp, 123456u);
    EXPECT_EQ(t.system_time, 789u);
    EXPECT_EQ(t.tsc_to_system_mul, s.mul);
    EXPECT_EQ(t.tsc_shift, s.shift);
    EXPECT_EQ(t.flags, 1);
    hv::vplatform::pvclock_publish(t, 1, 2, s, 0);
    EXPECT_EQ(t.version, 4u);
}

} // namespace
