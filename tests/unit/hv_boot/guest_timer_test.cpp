// SPDX-License-Identifier: MIT
#include "hv/guest_timer.hpp"

#include <gtest/gtest.h>

using namespace hv::timer;
using hv::xen::Errno;

namespace
{

TEST(Guest_timer, NewVcpuHasThePeriodicTimerOnly)
{
    Vcpu_timers t;
    EXPECT_EQ(next_deadline(t), 0u); // due at once, then every 10 ms
    EXPECT_TRUE(expire(t, 5));
    EXPECT_EQ(next_deadline(t), DEFAULT_PERIOD_NS);
    EXPECT_FALSE(expire(t, DEFAULT_PERIOD_NS - 1));
    EXPECT_TRUE(expire(t, DEFAULT_PERIOD_NS));
    EXPECT_EQ(next_deadline(t), 2 * DEFAULT_PERIOD_NS);
}

TEST(Guest_timer, MissedPeriodsGiveOneVirq)
{
    Vcpu_timers t;
    t.periodic_next_ns = 1000;
    EXPECT_TRUE(expire(t, 1000 + 35 * DEFAULT_PERIOD_NS + 7));
    EXPECT_EQ(t.periodic_next_ns, 1000 + 36 * DEFAULT_PERIOD_NS);
    EXPECT_FALSE(expire(t, 1000 + 36 * DEFAULT_PERIOD_NS - 1));
}

TEST(Guest_timer, SingleshotFiresOnceAtItsDeadline)
{
    Vcpu_timers t;
    stop_periodic(t); // what Linux does before it goes one-shot
    EXPECT_EQ(next_deadline(t), NONE);
    ASSERT_TRUE(set_singleshot(t, 100, 5000, 0));
    EXPECT_EQ(next_deadline(t), 5000u);
    EXPECT_FALSE(expire(t, 4999));
    EXPECT_TRUE(expire(t, 5000));
    EXPECT_EQ(next_deadline(t), NONE);
    EXPECT_FALSE(expire(t, 1'000'000'000));
}

TEST(Guest_timer, LaterSetReplacesTheArmedDeadline)
{
    Vcpu_timers t;
    stop_periodic(t);
    ASSERT_TRUE(set_singleshot(t, 0, 5000, 0));
    ASSERT_TRUE(set_singleshot(t, 0, 9000, 0));
    EXPECT_FALSE(expire(t, 6000));
    EXPECT_TRUE(expire(t, 9000));
    ASSERT_TRUE(set_singleshot(t, 0, 9000, 0));
    stop_singleshot(t);
    EXPECT_FALSE(expire(t, 100000));
}

TEST(Guest_timer, PastDeadlineFiresAtOnceUnlessFutureFlag)
{
    Vcpu_timers t;
    stop_periodic(t);
    ASSERT_TRUE(set_singleshot(t, 1000, 10, 0));
    EXPECT_TRUE(expire(t, 1000));
    auto const r = set_singleshot(t, 1000, 10, SSHOT_FUTURE);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errno::XEN_ETIME);
    EXPECT_EQ(next_deadline(t), NONE);                        // nothing armed
    EXPECT_TRUE(set_singleshot(t, 1000, 1000, SSHOT_FUTURE)); // "now" is not the past
    EXPECT_TRUE(set_singleshot(t, 1000, 2000, SSHOT_FUTURE));
    EXPECT_EQ(next_deadline(t), 2000u);
}

TEST(Guest_timer, UnknownFlagsAreRefused)
{
    Vcpu_timers t;
    auto const r = set_singleshot(t, 0, 10, 2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errno::XEN_EINVAL);
    EXPECT_EQ(t.singleshot_ns, NONE);
}

TEST(Guest_timer, FarDeadlinesDoNotWrap)
{
    Vcpu_timers t;
    stop_periodic(t);
    ASSERT_TRUE(set_singleshot(t, 0, NONE, 0));
    EXPECT_NE(next_deadline(t), NONE); // armed, at the end of time
    EXPECT_FALSE(expire(t, NONE - 2));
    t.periodic_next_ns = NONE - 5;
    EXPECT_TRUE(expire(t, NONE - 1));
    EXPECT_EQ(t.periodic_next_ns, NONE); // would wrap: stopped rather than firing forever
}

TEST(Guest_timer, NanosecondsToTsc)
{
    EXPECT_EQ(ns_to_tsc(0, 3000), 0u);
    EXPECT_EQ(ns_to_tsc(1000, 3000), 3000u);
    EXPECT_EQ(ns_to_tsc(1, 3000), 3u); // rounded up
    EXPECT_EQ(ns_to_tsc(1, 1), 1u);    // never early
    EXPECT_EQ(ns_to_tsc(1500, 2), 3u);
    EXPECT_EQ(ns_to_tsc(NONE, 3000), NONE);
    EXPECT_EQ(ns_to_tsc(NONE / 2, 3000), NONE); // saturates
}

TEST(Guest_timer, NextInterruptIsTheEarlierButNotThePast)
{
    EXPECT_EQ(next_interrupt_tsc(100, 1000, 500, 10), 500u);
    EXPECT_EQ(next_interrupt_tsc(100, 1000, NONE, 10), 1000u);
    EXPECT_EQ(next_interrupt_tsc(100, 1000, 50, 10), 110u); // a passed deadline: at once
    EXPECT_EQ(next_interrupt_tsc(100, 90, NONE, 10), 110u);
    EXPECT_EQ(next_interrupt_tsc(NONE - 3, NONE, NONE, 10), NONE);
}

TEST(Guest_timer, ASliceEndWaitsWithinItsSlackForAGuestDeadline)
{
    EXPECT_EQ(next_interrupt_tsc(100, 1000, 1200, 10, 500), 1200u); // one interrupt for both
    EXPECT_EQ(next_interrupt_tsc(100, 1000, 1500, 10, 500), 1500u); // the slack's very end
    EXPECT_EQ(next_interrupt_tsc(100, 1000, 1501, 10, 500), 1000u); // too far: the slice end
    EXPECT_EQ(next_interrupt_tsc(100, 1000, 800, 10, 500), 800u);   // earlier: as without slack
    EXPECT_EQ(next_interrupt_tsc(100, 1000, NONE, 10, 500), 1000u); // no deadline: the slice end
    EXPECT_EQ(next_interrupt_tsc(100, 1000, 1200, 10), 1000u);      // no slack given
    EXPECT_EQ(next_interrupt_tsc(100, NONE - 5, NONE, 10, 500), NONE - 5); // no wrap-around
    EXPECT_EQ(next_interrupt_tsc(2000, 1000, 1200, 10, 500), 2010u);       // both passed: at once
}

} // namespace
