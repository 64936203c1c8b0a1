// SPDX-License-Identifier: MIT
// tpmif v2 shared-page backend logic against pages laid out as Linux xen-tpmfront does.
#include <gtest/gtest.h>

#include <array>

#include "vtpm/tpmif.hpp"

using namespace dom::vtpm;

namespace
{

struct Pages
{
    explicit Pages(std::size_t extra) : mem(1 + extra)
    {
        for (auto &p : mem) {
            p.fill(0xee);
            spans.push_back(p);
        }
        mem[0][7] = static_cast<std::uint8_t>(extra);
        for (std::size_t i = 0; i < 8; ++i)
            if (i != 7)
                mem[0][i] = 0;
    }
    // Frontend side: write `cmd` at 8 + 4n through the pages, then length and state.
    void submit(Bytes const &cmd, std::uint32_t length, std::uint8_t locality = 0)
    {
        std::size_t off = 8 + 4 * (mem.size() - 1);
        for (std::size_t i = 0; i < cmd.size(); ++i, ++off)
            mem[off / 4096][off % 4096] = cmd[i];
        for (int i = 0; i < 4; ++i)
            mem[0][i] = static_cast<std::uint8_t>(length >> (8 * i));
        mem[0][5] = locality;
        mem[0][4] = 1;
    }
    Tpmif_pages pages() const { return spans; }
    std::vector<std::array<std::uint8_t, 4096>> mem;
    std::vector<std::span<std::uint8_t>> spans;
};

Bytes command(std::size_t size)
{
    Bytes c(size, 0x5a);
    c[0] = 0x80;
    c[1] = 0x01;
    for (int i = 0; i < 4; ++i)
        c[2 + i] = static_cast<std::uint8_t>(size >> (8 * (3 - i)));
    return c;
}

TEST(Tpmif, IdleAndFinishedPagesYieldNothing)
{
    Pages p(0);
    EXPECT_FALSE(tpmif_take_request(p.pages())->has_value());
    p.mem[0][4] = 2;
    EXPECT_FALSE(tpmif_take_request(p.pages())->has_value());
}

TEST(Tpmif, TakesARequestFromOnePage)
{
    Pages p(0);
    auto const cmd = command(12);
    p.submit(cmd, 12, 2);
    auto const r = tpmif_take_request(p.pages());
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->command, cmd);
    EXPECT_EQ((*r)->locality, 2);
}

TEST(Tpmif, TakesARequestSpanningExtraPagesAtOffsetEightPlusFourN)
{
    Pages p(2);
    EXPECT_EQ(tpmif_capacity(2), 3u * 4096 - 16);
    auto cmd = command(9000);
    for (std::size_t i = 10; i < cmd.size(); ++i)
        cmd[i] = static_cast<std::uint8_t>(i);
    p.submit(cmd, 9000);
    EXPECT_EQ(p.mem[0][16], 0x80); // data starts after the two grant refs
    auto const r = tpmif_take_request(p.pages());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)->command, cmd);
}

TEST(Tpmif, RefusesGuestLies)
{
    {
        Pages p(0);
        p.submit(command(12), 5000); // longer than the page
        EXPECT_EQ(tpmif_take_request(p.pages()).error().code, Errc::BAD_INPUT);
    }
    {
        Pages p(0);
        p.submit(command(12), 20); // length field disagrees with the command
        EXPECT_FALSE(tpmif_take_request(p.pages()));
    }
    {
        Pages p(0);
        auto c = command(12);
        c[1] = 0xc1; // TPM 1.2 tag
        p.submit(c, 12);
        EXPECT_FALSE(tpmif_take_request(p.pages()));
    }
    {
        Pages p(1);
        p.submit(command(12), 12);
        p.mem[0][7] = 3; // claims more extra pages than were granted and mapped
        auto const r = tpmif_take_request(p.pages());
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("nr_extra_pages"), std::string::npos);
    }
    {
        Pages p(0);
        p.submit(command(12), 4);
        EXPECT_FALSE(tpmif_take_request(p.pages()));
    }
}

TEST(Tpmif, CancelIsAnsweredWithIdle)
{
    Pages p(0);
    p.submit(command(12), 12);
    p.mem[0][4] = 3;
    auto const r = tpmif_take_request(p.pages());
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value());
    EXPECT_EQ(p.mem[0][4], 0);
}

TEST(Tpmif, PutsTheResponseThenFinish)
{
    Pages p(1);
    Bytes resp(5000);
    for (std::size_t i = 0; i < resp.size(); ++i)
        resp[i] = static_cast<std::uint8_t>(i * 3);
    ASSERT_TRUE(tpmif_put_response(p.pages(), resp));
    EXPECT_EQ(p.mem[0][4], 2);
    EXPECT_EQ(p.mem[0][0] | p.mem[0][1] << 8, 5000);
    EXPECT_EQ(p.mem[0][12], resp[0]);
    EXPECT_EQ(p.mem[1][5000 - (4096 - 12) - 1], resp.back());
    EXPECT_FALSE(tpmif_put_response(p.pages(), Bytes(9000)));
    EXPECT_FALSE(tpmif_take_request({}));
}

std::uint32_t length_of(Pages const &p)
{
    return p.mem[0][0] | p.mem[0][1] << 8 | p.mem[0][2] << 16 | std::uint32_t{p.mem[0][3]} << 24;
}

Bytes data_of(Pages const &p, std::size_t n)
{
    Bytes out;
    std::size_t off = 8 + 4 * (p.mem.size() - 1);
    for (std::size_t i = 0; i < n; ++i, ++off)
        out.push_back(p.mem[off / 4096][off % 4096]);
    return out;
}

TEST(Tpmif_serve, ServesOneRequestThroughTheForwarder)
{
    Pages p(1);
    auto const cmd = command(5000); // spans both pages
    p.submit(cmd, 5000, 2);
    auto const answer = command(4500);
    Bytes seen;
    unsigned locality = 9;
    auto const r = tpmif_serve(p.pages(), [&](Tpmif_request const &req) -> Result<Bytes> {
        seen = req.command;
        locality = req.locality;
        return answer;
    });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->outcome, Tpmif_outcome::SERVED);
    EXPECT_EQ(seen, cmd);
    EXPECT_EQ(locality, 2u);
    EXPECT_EQ(p.mem[0][4], 2); // FINISH
    EXPECT_EQ(length_of(p), 4500u);
    EXPECT_EQ(data_of(p, 4500), answer);
    // A second kick without a new request does nothing.
    bool called = false;
    auto const again = tpmif_serve(p.pages(), [&](Tpmif_request const &) -> Result<Bytes> {
        called = true;
        return answer;
    });
    ASSERT_TRUE(again);
    EXPECT_EQ(again->outcome, Tpmif_outcome::NOTHING);
    EXPECT_FALSE(called);
}

TEST(Tpmif_serve, BadRequestsAndBadTpmAnswersGetAFailureResponseNotSilence)
{
    auto const never = [](Tpmif_request const &) -> Result<Bytes> {
        ADD_FAILURE() << "a refused request reached the TPM";
        return Bytes{};
    };
    {
        Pages p(0);
        p.submit(command(20), 30); // length field disagrees with the command
        auto const r = tpmif_serve(p.pages(), never);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->outcome, Tpmif_outcome::FAILED);
        EXPECT_EQ(r->problem.code, Errc::BAD_INPUT);
        EXPECT_EQ(p.mem[0][4], 2);
        EXPECT_EQ(length_of(p), 10u);
        EXPECT_EQ(data_of(p, 10), tpm_failure_response());
    }
    for (auto const &bad : {Bytes{1, 2, 3}, command(5000), command(20)}) {
        Pages p(0);
        p.submit(command(12), 12);
        auto answer = bad;
        if (answer.size() == 20)
            answer.pop_back(); // a truncated response
        auto const r =
            tpmif_serve(p.pages(), [&](Tpmif_request const &) -> Result<Bytes> { return answer; });
        ASSERT_TRUE(r);
        EXPECT_EQ(r->outcome, Tpmif_outcome::FAILED);
        EXPECT_EQ(data_of(p, 10), tpm_failure_response());
    }
    {
        Pages p(0);
        p.submit(command(12), 12);
        auto const r = tpmif_serve(p.pages(), [](Tpmif_request const &) -> Result<Bytes> {
            return fail(Errc::WORKER, "worker gone");
        });
        ASSERT_TRUE(r);
        EXPECT_EQ(r->outcome, Tpmif_outcome::FAILED);
        EXPECT_EQ(r->problem.code, Errc::WORKER);
        EXPECT_EQ(p.mem[0][4], 2);
    }
    {
        Pages p(0);
        p.submit(command(12), 12);
        p.mem[0][4] = 3; // CANCEL
        auto const r = tpmif_serve(p.pages(), never);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->outcome, Tpmif_outcome::CANCELLED);
        EXPECT_EQ(p.mem[0][4], 0);
    }
    {
        // The guest claims two extra pages, one is mapped: answered on the shared page at the
        // offset the guest's count gives.
        Pages p(1);
        p.submit(command(12), 12);
        p.mem[0][7] = 2;
        auto const r = tpmif_serve(p.pages(), never);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->outcome, Tpmif_outcome::FAILED);
        EXPECT_EQ(p.mem[0][4], 2);
        EXPECT_EQ(length_of(p), 10u);
        EXPECT_EQ(Bytes(p.mem[0].begin() + 16, p.mem[0].begin() + 26), tpm_failure_response());
    }
    EXPECT_FALSE(tpmif_serve({}, never));
}

} // namespace
