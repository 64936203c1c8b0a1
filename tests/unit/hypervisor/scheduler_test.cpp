// SPDX-License-Identifier: MIT
#include "hv/scheduler.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

using namespace hv::sched;

namespace
{

struct Vcpu : Entity
{
    int id = 0;
};

int id(Entity *e)
{
    return e == nullptr ? -1 : static_cast<Vcpu *>(e)->id;
}

struct Scheduler_three : ::testing::Test
{
    Round_robin rr{100};
    std::array<Vcpu, 3> v;
    void SetUp() override
    {
        for (int i = 0; i < 3; ++i) {
            v[i].id = i;
            ASSERT_TRUE(rr.add(v[i]).has_value());
        }
    }
};

TEST(Scheduler, IdleWhenEmpty)
{
    Round_robin rr{10};
    EXPECT_TRUE(rr.idle());
    EXPECT_FALSE(rr.tick(5));
    EXPECT_EQ(rr.pick_next(5), nullptr);
    Vcpu a;
    ASSERT_TRUE(rr.add(a).has_value());
    EXPECT_EQ(rr.add(a).error(), Error::ALREADY_ADDED);
    EXPECT_TRUE(rr.tick(6)); // someone is waiting and nothing runs
    EXPECT_EQ(rr.pick_next(6), &a);
    EXPECT_EQ(rr.slice_end(), 16u);
}

TEST_F(Scheduler_three, RoundRobinOnSliceExpiry)
{
    std::vector<int> order;
    uint64_t now = 0;
    order.push_back(id(rr.pick_next(now)));
    for (int step = 0; step < 8; ++step) {
        EXPECT_FALSE(rr.tick(now + 99));
        now += 100;
        ASSERT_TRUE(rr.tick(now));
        order.push_back(id(rr.pick_next(now)));
    }
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1, 2}));
    EXPECT_EQ(v[0].runs, 3u);
}

TEST_F(Scheduler_three, YieldBlockWake)
{
    EXPECT_EQ(id(rr.pick_next(0)), 0);
    rr.yield();
    EXPECT_TRUE(rr.need_resched());
    EXPECT_EQ(id(rr.pick_next(10)), 1);
    ASSERT_TRUE(rr.block(v[1]).has_value()); // current blocks
    EXPECT_TRUE(rr.need_resched());
    EXPECT_EQ(id(rr.pick_next(20)), 2);
    EXPECT_EQ(id(rr.pick_next(30)), 0); // 1 is not in the queue any more
    EXPECT_EQ(id(rr.pick_next(40)), 2);
    ASSERT_TRUE(rr.wake(v[1]).has_value());
    EXPECT_TRUE(rr.wake(v[1]).has_value()); // harmless
    EXPECT_EQ(id(rr.pick_next(50)), 0);
    EXPECT_EQ(id(rr.pick_next(60)), 1);
    ASSERT_TRUE(rr.block(v[0]).has_value()); // a queued one blocks
    EXPECT_TRUE(rr.block(v[0]).has_value());
    EXPECT_EQ(id(rr.pick_next(70)), 2);
    EXPECT_EQ(id(rr.pick_next(80)), 1);
}

TEST_F(Scheduler_three, AllBlockedMeansIdleUntilAWake)
{
    EXPECT_EQ(id(rr.pick_next(0)), 0);
    for (auto &x : v)
        ASSERT_TRUE(rr.block(x).has_value());
    EXPECT_EQ(rr.pick_next(1), nullptr);
    EXPECT_FALSE(rr.tick(1000));
    ASSERT_TRUE(rr.wake(v[2]).has_value());
    EXPECT_TRUE(rr.need_resched());
    EXPECT_EQ(id(rr.pick_next(1001)), 2);
}

TEST_F(Scheduler_three, BlockThenWakeBeforeSwitchingAwayKeepsRunning)
{
    EXPECT_EQ(id(rr.pick_next(0)), 0);
    ASSERT_TRUE(rr.block(v[0]).has_value());
    ASSERT_TRUE(rr.wake(v[0]).has_value()); // event arrived before the switch
    EXPECT_EQ(id(rr.pick_next(5)), 1);
    EXPECT_EQ(id(rr.pick_next(6)), 2);
    EXPECT_EQ(id(rr.pick_next(7)), 0);
}

TEST_F(Scheduler_three, RemoveCurrentQueuedAndBlocked)
{
    EXPECT_EQ(id(rr.pick_next(0)), 0);
    rr.remove(v[0]); // the running one dies (nested page fault, shutdown)
    EXPECT_EQ(rr.current(), nullptr);
    EXPECT_TRUE(rr.need_resched());
    EXPECT_EQ(id(rr.pick_next(1)), 1);
    rr.remove(v[2]);
    EXPECT_EQ(id(rr.pick_next(2)), 1);
    EXPECT_EQ(rr.block(v[2]).error(), Error::NOT_ADDED);
    EXPECT_EQ(rr.wake(v[0]).error(), Error::NOT_ADDED);
    rr.remove(v[0]);                       // twice: harmless
    EXPECT_TRUE(rr.add(v[0]).has_value()); // a dead entity may be added again
    EXPECT_EQ(id(rr.pick_next(3)), 0);
}

TEST_F(Scheduler_three, AloneTheCurrentKeepsItsCpu)
{
    rr.remove(v[1]);
    rr.remove(v[2]);
    EXPECT_EQ(id(rr.pick_next(0)), 0);
    EXPECT_FALSE(rr.tick(100));
    EXPECT_EQ(rr.slice_end(), 200u);
    v[1].slice = 7;
    ASSERT_TRUE(rr.add(v[1]).has_value());
    EXPECT_TRUE(rr.tick(200));
    EXPECT_EQ(id(rr.pick_next(200)), 1);
    EXPECT_EQ(rr.slice_end(), 207u); // its own slice
}

TEST(Scheduler, RandomOperationsKeepTheQueueConsistent)
{
    std::mt19937 rng{42};
    Round_robin rr{10};
    std::array<Vcpu, 8> v;
    for (int i = 0; i < 8; ++i)
        v[i].id = i;
    for (int step = 0; step < 20000; ++step) {
        Vcpu &x = v[rng() % 8];
        switch (rng() % 6) {
        case 0: (void)rr.add(x); break;
        case 1: (void)rr.block(x); break;
        case 2: (void)rr.wake(x); break;
        case 3: rr.remove(x); break;
        case 4: rr.yield(); break;
        default: rr.pick_next(static_cast<uint64_t>(step)); break;
        }
        // Invariants: queued exactly when runnable and not current; the current is never DEAD.
        Entity *cur = rr.current();
        if (cur != nullptr) {
            EXPECT_NE(cur->state, State::DEAD);
        }
        for (auto &e : v) {
            bool const should = e.state == State::RUNNABLE && &e != cur;
            ASSERT_EQ(e.queued, should) << "step " << step << " vcpu " << e.id;
        }
    }
}

} // namespace
