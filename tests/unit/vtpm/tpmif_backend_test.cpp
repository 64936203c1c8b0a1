// SPDX-License-Identifier: MIT
// The tpmif v2 backend's XenStore decisions (docs/vtpm.md §7): every frontend-written node is
// untrusted text; a bad one refuses the device or is ignored, never connects.
#include <gtest/gtest.h>

#include "vtpm/tpmif_backend.hpp"

using namespace dom::vtpm;

TEST(Tpmif_backend, UnsignedParsesOnlyWhatLinuxWrites)
{
    EXPECT_EQ(parse_xs_unsigned("0"), 0u);
    EXPECT_EQ(parse_xs_unsigned("8"), 8u);
    EXPECT_EQ(parse_xs_unsigned("4294967295"), 4294967295u);
    for (char const *bad :
         {"", "-1", "+1", " 1", "1 ", "01", "0x10", "4294967296", "99999999999", "1a", "١"})
        EXPECT_FALSE(parse_xs_unsigned(bad)) << bad;
    EXPECT_FALSE(parse_xs_unsigned(std::string_view("1\0", 2)));
    EXPECT_EQ(parse_xs_unsigned("4095", 4095), 4095u);
    EXPECT_FALSE(parse_xs_unsigned("4096", 4095));
}

TEST(Tpmif_backend, StatesZeroToEightOnly)
{
    EXPECT_EQ(parse_xenbus_state("3"), Xenbus_state::INITIALISED);
    EXPECT_EQ(parse_xenbus_state("8"), Xenbus_state::RECONFIGURED);
    EXPECT_FALSE(parse_xenbus_state("9"));
    EXPECT_FALSE(parse_xenbus_state("03"));
    EXPECT_FALSE(parse_xenbus_state("Connected"));
}

namespace
{
Frontend_nodes ready(char const *state = "3")
{
    return {state, "8", "5", "1"};
}
} // namespace

TEST(Tpmif_backend, InitialisedFrontendWithV2Connects)
{
    for (char const *st : {"3", "4"}) {
        auto const d = tpmif_backend_decide(Backend_phase::WAITING, ready(st));
        EXPECT_EQ(d.action, Backend_action::CONNECT) << st;
        EXPECT_EQ(d.ring_ref, 8u);
        EXPECT_EQ(d.port, 5u);
    }
}

TEST(Tpmif_backend, EarlierFrontendStatesWait)
{
    for (char const *st : {"0", "1", "2", "7", "8"})
        EXPECT_EQ(tpmif_backend_decide(Backend_phase::WAITING, ready(st)).action,
                  Backend_action::STAY)
            << st;
}

TEST(Tpmif_backend, FrontendWithoutProtocolV2IsRefused)
{
    auto f = ready();
    f.feature_protocol_v2.reset();
    auto d = tpmif_backend_decide(Backend_phase::WAITING, f);
    EXPECT_EQ(d.action, Backend_action::REFUSE);
    EXPECT_NE(d.reason.find("feature-protocol-v2"), std::string::npos);
    f.feature_protocol_v2 = "0";
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::WAITING, f).action, Backend_action::REFUSE);
}

TEST(Tpmif_backend, MalformedRingRefOrPortIsRefusedNeverConnected)
{
    for (char const *ref : {"", "-3", "0x8", "8 ", "99999999999"}) {
        auto f = ready();
        f.ring_ref = ref;
        auto const d = tpmif_backend_decide(Backend_phase::WAITING, f);
        EXPECT_EQ(d.action, Backend_action::REFUSE) << ref;
        EXPECT_NE(d.reason.find("ring-ref"), std::string::npos);
    }
    for (char const *port : {"0", "4096", "x", "", "-1"}) {
        auto f = ready();
        f.event_channel = port;
        auto const d = tpmif_backend_decide(Backend_phase::WAITING, f);
        EXPECT_EQ(d.action, Backend_action::REFUSE) << port;
        EXPECT_NE(d.reason.find("event-channel"), std::string::npos);
    }
    auto f = ready();
    f.ring_ref.reset();
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::WAITING, f).action, Backend_action::REFUSE);
    f = ready();
    f.event_channel.reset();
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::WAITING, f).action, Backend_action::REFUSE);
}

TEST(Tpmif_backend, MalformedStateIsIgnoredInEveryPhase)
{
    for (auto const phase :
         {Backend_phase::WAITING, Backend_phase::CONNECTED, Backend_phase::CLOSED})
        for (char const *st : {"", "9", "banana", "4 ", "-1"}) {
            auto const d = tpmif_backend_decide(phase, ready(st));
            EXPECT_EQ(d.action, Backend_action::STAY) << st;
        }
}

TEST(Tpmif_backend, ClosingOrGoneFrontendClosesTheBackend)
{
    for (auto const phase : {Backend_phase::WAITING, Backend_phase::CONNECTED}) {
        EXPECT_EQ(tpmif_backend_decide(phase, ready("5")).action, Backend_action::CLOSE);
        EXPECT_EQ(tpmif_backend_decide(phase, ready("6")).action, Backend_action::CLOSE);
        EXPECT_EQ(tpmif_backend_decide(phase, Frontend_nodes{}).action, Backend_action::CLOSE);
    }
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::CONNECTED, ready("1")).action,
              Backend_action::CLOSE);
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::CONNECTED, ready("4")).action,
              Backend_action::STAY);
}

TEST(Tpmif_backend, ClosedDeviceRestartsOnlyWhenTheFrontendStartsOver)
{
    for (char const *st : {"1", "3"})
        EXPECT_EQ(tpmif_backend_decide(Backend_phase::CLOSED, ready(st)).action,
                  Backend_action::RESTART)
            << st;
    for (char const *st : {"0", "2", "4", "5", "6"})
        EXPECT_EQ(tpmif_backend_decide(Backend_phase::CLOSED, ready(st)).action,
                  Backend_action::STAY)
            << st;
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::CLOSED, Frontend_nodes{}).action,
              Backend_action::STAY);
}

TEST(Tpmif_backend, ARefusedDeviceStaysRefusedUntilTheFrontendStartsOver)
{
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::REFUSED, ready("1")).action,
              Backend_action::RESTART);
    for (char const *st : {"0", "2", "3", "4", "5", "6", "x", "01"})
        EXPECT_EQ(tpmif_backend_decide(Backend_phase::REFUSED, ready(st)).action,
                  Backend_action::STAY)
            << st;
    EXPECT_EQ(tpmif_backend_decide(Backend_phase::REFUSED, Frontend_nodes{}).action,
              Backend_action::STAY);
}
