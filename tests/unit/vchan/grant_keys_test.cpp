// SPDX-License-Identifier: MIT
// The pure parts of the grant transport: the store path, the two published keys and the
// control page's orders and grant list, all of which the server (or anyone who could write
// the keys) controls.
#include "ward/vchan/grant_keys.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "ward/vchan/vchan.hpp"

using namespace dom::vchan;

TEST(GrantKeys, StorePathIsLibxenvchans)
{
    Endpoint const ep{"", 2, 3, 6000, Transport::GRANT};
    EXPECT_EQ(store_path(ep), "/local/domain/2/data/vchan/3/6000");
}

TEST(GrantKeys, RingRefParsesPlainDecimal)
{
    EXPECT_EQ(parse_ring_ref("8").value_or(0), 8u);
    EXPECT_EQ(parse_ring_ref("41").value_or(0), 41u);
    EXPECT_EQ(parse_ring_ref("4294967295").value_or(0), 4294967295u);
}

TEST(GrantKeys, RingRefRejectsForgedValues)
{
    for (char const *bad : {"", "0", "1", "7", "-1", "+9", " 9", "9 ", "9\n", "0x10", "1e3",
                            "4294967296", "99999999999", "12a"})
        EXPECT_EQ(parse_ring_ref(bad).error(), Error::PROTOCOL) << '"' << bad << '"';
    EXPECT_EQ(parse_ring_ref(std::string_view{"9\0", 2}).error(), Error::PROTOCOL); // NUL inside
}

TEST(GrantKeys, EventChannelWithinTwoLevelPorts)
{
    EXPECT_EQ(parse_event_channel("1").value_or(0), 1u);
    EXPECT_EQ(parse_event_channel("4095").value_or(0), 4095u);
    for (char const *bad : {"", "0", "4096", "65536", "-3", "3x", "00000000000"})
        EXPECT_EQ(parse_event_channel(bad).error(), Error::PROTOCOL) << '"' << bad << '"';
}

TEST(GrantKeys, OrdersAreCheckedLikeTheHostTransport)
{
    EXPECT_TRUE(check_orders(10, 11));
    EXPECT_TRUE(check_orders(16, 16));
    EXPECT_TRUE(check_orders(11, 20));
    EXPECT_EQ(check_orders(9, 11).error(), Error::PROTOCOL);
    EXPECT_EQ(check_orders(10, 21).error(), Error::PROTOCOL);
    EXPECT_EQ(check_orders(11, 11).error(), Error::PROTOCOL); // two rings on one in-page slot
    EXPECT_EQ(check_orders(10, 10).error(), Error::PROTOCOL);
    EXPECT_EQ(check_orders(65535, 12).error(), Error::PROTOCOL);
    // 256 + 256 grants do not fit before an in-page ring at 1024 or 2048.
    EXPECT_EQ(check_orders(10, 20).error(), Error::PROTOCOL);
    EXPECT_TRUE(check_orders(20, 20)); // 512 grants: 24 + 2048 bytes, no in-page ring
}

TEST(GrantKeys, GrantsInPageOrder)
{
    uint32_t const grants[] = {20, 21, 22, 23, 30, 31};
    auto const refs = check_grants(grants, {13, 13}, 9);
    ASSERT_TRUE(refs);
    EXPECT_EQ(*refs, (std::vector<uint32_t>{20, 21, 22, 23}));
    // In-page rings need no grants at all.
    EXPECT_TRUE(check_grants(grants, {10, 11}, 9)->empty());
    EXPECT_EQ(*check_grants(grants, {12, 11}, 9), (std::vector<uint32_t>{20}));
}

TEST(GrantKeys, ForgedGrantListsAreRefused)
{
    uint32_t const reserved[] = {20, 1};
    EXPECT_EQ(check_grants(reserved, {12, 12}, 9).error(), Error::PROTOCOL);
    uint32_t const control[] = {20, 9};
    EXPECT_EQ(check_grants(control, {12, 12}, 9).error(), Error::PROTOCOL);
    uint32_t const twice[] = {20, 21, 22, 20};
    EXPECT_EQ(check_grants(twice, {13, 13}, 9).error(), Error::PROTOCOL);
    EXPECT_TRUE(check_grants(twice, {13, 12}, 9)); // only the first three are the layout's
    uint32_t const zero[] = {0};
    EXPECT_EQ(check_grants(zero, {12, 11}, 9).error(), Error::PROTOCOL);
}

// Outside a Xen domain the devices are missing: both ends fail with SYSTEM and say why.
TEST(GrantTransport, WithoutXenDevicesFailsCleanly)
{
    if (::access("/dev/xen/xenbus", F_OK) == 0)
        GTEST_SKIP() << "running in a Xen domain";
    Endpoint const ep{"", 2, 3, 1, Transport::GRANT};
    auto s = Vchan::server_init(ep, 1024, 2048);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), Error::SYSTEM);
    EXPECT_NE(last_error_detail().find("/dev/xen/"), std::string::npos) << last_error_detail();
    auto c = Vchan::client_init(ep);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), Error::SYSTEM);
    EXPECT_NE(last_error_detail().find("/dev/xen/xenbus"), std::string::npos);
    // Sizes are still checked first, as over the socket.
    EXPECT_EQ(Vchan::server_init(ep, 4u << 20, 1024).error(), Error::INVALID_ARGUMENT);
}
