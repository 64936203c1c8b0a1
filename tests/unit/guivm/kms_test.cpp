// SPDX-License-Identifier: MIT
// The pure parts of the KMS output (guivm/backend/src/drm_device.cpp): connector, mode and CRTC
// choice, dumb buffer maths, damage carry-over between the two scanout buffers, and the error
// paths a host without /dev/dri can reach. The device itself is tested in QEMU (kms_bochs_drm).
#include <filesystem>
#include <gtest/gtest.h>

#include "ward/gui/drm_device.hpp"

namespace k = gvm::kms;

namespace
{

k::Mode mode(uint32_t w, uint32_t h, uint32_t hz, bool pref = false)
{
    return k::Mode{w, h, hz, pref, 0};
}

uint64_t area(std::vector<k::Rect> const &rs)
{
    uint64_t a = 0;
    for (auto const &r : rs)
        a += uint64_t(r.w) * uint64_t(r.h);
    return a;
}

} // namespace

TEST(KmsConnector, EmptyListHasNoConnector)
{
    auto r = k::choose_connector({});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k::Errc::NO_CONNECTOR);
}

TEST(KmsConnector, NoneConnected)
{
    std::vector<k::Connector> cs{{1, false, {mode(1024, 768, 60, true)}, {}},
                                 {2, false, {mode(800, 600, 60)}, {}}};
    auto r = k::choose_connector(cs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k::Errc::NO_CONNECTOR);
    EXPECT_NE(r.error().message.find("none connected"), std::string::npos);
}

TEST(KmsConnector, ConnectedWithoutModesIsNoMode)
{
    std::vector<k::Connector> cs{{1, true, {}, {}}, {2, true, {mode(0, 768, 60)}, {}}};
    auto r = k::choose_connector(cs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k::Errc::NO_MODE);
}

TEST(KmsConnector, FirstConnectedWithAUsableMode)
{
    std::vector<k::Connector> cs{{1, false, {mode(1920, 1080, 60, true)}, {}},
                                 {2, true, {}, {}},
                                 {3, true, {mode(1280, 800, 60)}, {}},
                                 {4, true, {mode(1920, 1080, 60)}, {}}};
    auto r = k::choose_connector(cs);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 2u);
}

TEST(KmsMode, PreferredWins)
{
    std::vector<k::Mode> ms{mode(1920, 1080, 60), mode(1280, 800, 75, true), mode(2560, 1440, 60)};
    auto r = k::choose_mode(ms);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 1u);
}

TEST(KmsMode, LargestThenFastestWithoutPreferred)
{
    std::vector<k::Mode> ms{mode(1024, 768, 60), mode(1920, 1080, 50), mode(1920, 1080, 60),
                            mode(1280, 1024, 75)};
    auto r = k::choose_mode(ms);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 2u);
}

TEST(KmsMode, UnusableModesAreSkippedEvenIfPreferred)
{
    std::vector<k::Mode> ms{mode(0, 0, 60, true), mode(k::MAX_DIM + 1, 100, 60, true),
                            mode(800, 600, 60)};
    auto r = k::choose_mode(ms);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 2u);
}

TEST(KmsMode, NothingUsable)
{
    std::vector<k::Mode> ms{mode(0, 600, 60), mode(800, 0, 60)};
    auto r = k::choose_mode(ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k::Errc::NO_MODE);
    EXPECT_FALSE(k::choose_mode({}));
}

TEST(KmsCrtc, BitmaskSelectsAndCurrentWins)
{
    std::vector<uint32_t> crtcs{35, 36, 37};
    auto a = k::choose_crtc(0b110, 0, crtcs);
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, 36u);
    auto b = k::choose_crtc(0b111, 37, crtcs);
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, 37u);
    auto c = k::choose_crtc(0b001, 37, crtcs); // current, but not allowed
    ASSERT_TRUE(c);
    EXPECT_EQ(*c, 35u);
}

TEST(KmsCrtc, NoneReachable)
{
    std::vector<uint32_t> crtcs{35};
    auto r = k::choose_crtc(0b10, 0, crtcs); // bit beyond the list
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k::Errc::NO_CRTC);
    EXPECT_FALSE(k::choose_crtc(0, 0, crtcs));
}

TEST(KmsDumb, LayoutMaths)
{
    auto l = k::dumb_layout(1280, 800);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->min_pitch, 5120u);
    EXPECT_EQ(l->min_size, 4096000u);
    auto big = k::dumb_layout(k::MAX_DIM, k::MAX_DIM);
    ASSERT_TRUE(big);
    EXPECT_EQ(big->min_size, uint64_t(k::MAX_DIM) * k::MAX_DIM * 4); // no 32-bit overflow
    auto l16 = k::dumb_layout(1366, 768, 16);
    ASSERT_TRUE(l16);
    EXPECT_EQ(l16->min_pitch, 2732u);
}

TEST(KmsDumb, LayoutRejectsBadSizes)
{
    EXPECT_FALSE(k::dumb_layout(0, 800));
    EXPECT_FALSE(k::dumb_layout(1280, 0));
    EXPECT_FALSE(k::dumb_layout(k::MAX_DIM + 1, 10));
    EXPECT_FALSE(k::dumb_layout(100, 100, 0));
    EXPECT_FALSE(k::dumb_layout(100, 100, 12));
    EXPECT_FALSE(k::dumb_layout(100, 100, 64));
    EXPECT_EQ(k::dumb_layout(0, 0).error().code, k::Errc::BAD_FRAME);
}

TEST(KmsDumb, CheckWhatTheKernelReturned)
{
    auto l = *k::dumb_layout(1366, 768);
    EXPECT_TRUE(k::check_dumb(l, 5464, 5464ull * 768));
    EXPECT_TRUE(k::check_dumb(l, 5504, 5504ull * 768)); // padded pitch, enough size
    auto shortpitch = k::check_dumb(l, 5460, 1u << 24);
    ASSERT_FALSE(shortpitch);
    EXPECT_EQ(shortpitch.error().code, k::Errc::BUFFER);
    EXPECT_FALSE(k::check_dumb(l, 5504, 5464ull * 768)); // padded pitch, size not padded
}

TEST(KmsRect, Clip)
{
    auto r = k::clip({-10, -10, 30, 30}, 100, 50);
    EXPECT_EQ(r.x, 0);
    EXPECT_EQ(r.y, 0);
    EXPECT_EQ(r.w, 20);
    EXPECT_EQ(r.h, 20);
    r = k::clip({90, 40, 100, 100}, 100, 50);
    EXPECT_EQ(r.w, 10);
    EXPECT_EQ(r.h, 10);
    EXPECT_EQ(k::clip({100, 0, 10, 10}, 100, 50).w, 0);
    EXPECT_EQ(k::clip({0, 0, -5, 10}, 100, 50).w, 0);
    EXPECT_EQ(k::clip({INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX}, 100, 50).w, 0);
}

TEST(KmsDamage, FreshBuffersGetEverythingThenCarryOver)
{
    k::Damage_tracker t{100, 50};
    k::Rect const a{0, 0, 10, 10}, b{20, 20, 5, 5}, c{40, 0, 3, 3};
    // Frame 1 into buffer 1, frame 2 into buffer 0: both fresh, full copies.
    EXPECT_EQ(area(t.take(1, std::span<k::Rect const>(&a, 1))), 5000u);
    EXPECT_EQ(area(t.take(0, std::span<k::Rect const>(&b, 1))), 5000u);
    // Frame 3 into buffer 1: it missed frame 2's damage b, plus its own c.
    auto r3 = t.take(1, std::span<k::Rect const>(&c, 1));
    EXPECT_EQ(area(r3), 25u + 9u);
    // Frame 4 into buffer 0: it missed c only (b was already there).
    auto r4 = t.take(0, {});
    ASSERT_EQ(r4.size(), 1u);
    EXPECT_EQ(r4[0].x, 40);
    EXPECT_EQ(area(r4), 9u);
    // Nothing changed since: nothing to copy.
    EXPECT_TRUE(t.take(1, {}).empty());
}

TEST(KmsDamage, OffscreenDamageIsDroppedAndLongListsAreBounded)
{
    k::Damage_tracker t{100, 50};
    (void)t.take(0, {});
    (void)t.take(1, {});
    std::vector<k::Rect> many;
    for (int i = 0; i < 100; ++i)
        many.push_back({i, i % 50, 1, 1});
    many.push_back({500, 500, 10, 10}); // outside: dropped
    (void)t.take(0, many);
    auto r = t.take(1, {});
    ASSERT_EQ(r.size(), 1u); // one bounding box, not 100 rects
    EXPECT_EQ(r[0].x, 0);
    EXPECT_EQ(r[0].y, 0);
    EXPECT_EQ(r[0].w, 100);
    EXPECT_EQ(r[0].h, 50);
}

TEST(KmsOutput, MissingDeviceIsNoDevice)
{
    auto r = k::Output::open("/nonexistent/dri/card0");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k::Errc::NO_DEVICE);
    EXPECT_NE(r.error().message.find("/nonexistent/dri/card0"), std::string::npos);
}

TEST(KmsOutput, NonDrmFilesAreRefused)
{
    auto n = k::Output::open("/dev/null");
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code, k::Errc::NOT_DRM);
    auto f = k::Output::open("/proc/self/status");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, k::Errc::NOT_DRM);
}

TEST(KmsOutput, NoCardsAtAllIsNoDevice)
{
    if (std::filesystem::exists("/dev/dri"))
        GTEST_SKIP() << "this machine has /dev/dri; the scan may find a card";
    auto r = k::Output::open("");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k::Errc::NO_DEVICE);
    EXPECT_NE(r.error().message.find("is a KMS driver loaded"), std::string::npos);
}

TEST(KmsErrc, EveryCodeHasAName)
{
    for (int e = 0; e <= int(k::Errc::BAD_FRAME); ++e)
        EXPECT_STRNE(k::errc_name(k::Errc(e)), "?");
}
