// SPDX-License-Identifier: MIT
// The kernel's console input and focus (console_focus.cpp, console_out.cpp, docs/console.md),
// on hv_kernel_test's fakes: guest RAM is host memory, the log is captured. Focus is
// process-wide state; every test builds its own domains, and the previous ones are gone.
#include "kernel/console_focus.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "fake_kernel.hpp"
#include "hv/console_input.hpp"
#include "kernel/channels.hpp"
#include "kernel/console_ring.hpp"

namespace
{

using namespace hv;
using namespace hv::kernel;
using test::Test_domain;

constexpr uint64_t MiB = 1ull << 20;

// A domain with a PV console page, as the domain builder makes for a Linux domain. The fake
// frame allocator has no memory for a grant table, so only the event channel table is made.
struct Console_domain
{
    explicit Console_domain(char const *name) : t{2 * MiB, {}, name}
    {
        Domain_channels &c = channels(t.d());
        c.evtchn.reset();
        c.params = {};
        c.evtchn.emplace(t.d().id, 1);
        c.active = true;
        EXPECT_TRUE(console_ring_setup(t.d()));
        port = static_cast<uint32_t>(c.params[HVM_PARAM_CONSOLE_EVTCHN]);
    }
    ~Console_domain() { channels(t.d()).active = false; }

    uint8_t *page() { return t.ram(CONSOLE_PAGE_GPA); }
    uint32_t word(size_t off)
    {
        uint32_t v;
        std::memcpy(&v, page() + off, 4);
        return v;
    }
    void set_word(size_t off, uint32_t v) { std::memcpy(page() + off, &v, 4); }
    // What Ward put into the `in` ring so far (from the start, no wrap in these tests).
    std::string input() { return {reinterpret_cast<char *>(page()), word(console::IN_PROD)}; }
    bool pending() { return channels(t.d()).evtchn->pending(port); }
    Domain &d() { return t.d(); }

    Test_domain t;
    uint32_t port = 0;
};

void type(char const *s)
{
    console_input(s, std::strlen(s));
}

TEST(ConsoleFocus, FirstConsoleHasFocusAndGetsTypedBytesWithAnEvent)
{
    test::log_text().clear();
    Console_domain a{"personal"};
    Console_domain b{"work"};
    EXPECT_EQ(console_focus(), &a.d());
    EXPECT_NE(test::log_text().find("first console: input goes to domain " +
                                    std::to_string(a.d().id) + " 'personal'"),
              std::string::npos)
        << test::log_text();
    EXPECT_FALSE(a.pending());
    type("echo hi\r");
    EXPECT_EQ(a.input(), "echo hi\r");
    EXPECT_TRUE(a.pending()); // the console port was raised
    EXPECT_EQ(b.input(), "");
    EXPECT_FALSE(b.pending());
}

TEST(ConsoleFocus, EscapeMovesFocusAndBytesReachExactlyOneDomain)
{
    Console_domain a{"personal"};
    Console_domain b{"work"};
    test::Test_domain plain{2 * MiB, {}, "counter"}; // no console page: never focused
    type("one\x1dntwo");
    EXPECT_EQ(a.input(), "one");
    EXPECT_EQ(b.input(), "two");
    EXPECT_EQ(console_focus(), &b.d());
    type("\x1dn"); // wraps around, skipping the domain without a console
    EXPECT_EQ(console_focus(), &a.d());
    test::log_text().clear();
    char sel[] = "\x1d"
                 "0";
    sel[1] = static_cast<char>('0' + plain.d().id);
    type(sel);
    EXPECT_EQ(console_focus(), &a.d());
    EXPECT_NE(test::log_text().find("takes no input; focus unchanged"), std::string::npos);
    sel[1] = static_cast<char>('0' + b.d().id);
    type(sel);
    EXPECT_EQ(console_focus(), &b.d());
    type("\x1d\x1d"); // a literal Ctrl-]
    type("\x1dx");    // unknown command: dropped, help printed
    EXPECT_EQ(b.input(), std::string("two\x1d"));
    EXPECT_EQ(a.input(), "one");
    EXPECT_NE(test::log_text().find("Ctrl-] then n (next)"), std::string::npos);
}

TEST(ConsoleFocus, BadIndicesFromTheGuestDropInputWithOneMessage)
{
    Console_domain a{"personal"};
    a.set_word(console::IN_CONS, 5000); // ahead of anything Ward produced
    test::log_text().clear();
    type("abc");
    type("def");
    EXPECT_EQ(a.word(console::IN_PROD), 0u);
    EXPECT_FALSE(a.pending());
    std::string const log = test::log_text();
    auto const first = log.find("console input dropped: console ring indices out of range");
    ASSERT_NE(first, std::string::npos) << log;
    EXPECT_EQ(log.find("console input dropped", first + 1), std::string::npos); // said once
    a.set_word(console::IN_CONS, 0); // the guest repairs it
    type("g");
    EXPECT_EQ(a.input(), "g");
}

TEST(ConsoleFocus, FullRingDropsTheRestAndSaysSo)
{
    Console_domain a{"personal"};
    test::log_text().clear();
    std::string big(console::IN_SIZE + 3, 'z');
    console_input(big.data(), big.size());
    EXPECT_EQ(a.word(console::IN_PROD), console::IN_SIZE);
    EXPECT_NE(test::log_text().find("console input ring full, 3 bytes dropped"), std::string::npos)
        << test::log_text();
}

TEST(ConsoleFocus, FocusMovesOnWhenItsDomainEnds)
{
    Console_domain a{"personal"};
    Console_domain b{"work"};
    ASSERT_EQ(console_focus(), &a.d());
    end_domain(a.d(), false, 0, "shutdown: poweroff (reason 0)");
    test::log_text().clear();
    type("x");
    EXPECT_EQ(console_focus(), &b.d());
    EXPECT_EQ(b.input(), "x");
    EXPECT_NE(test::log_text().find("the domain with focus ended: input goes to domain"),
              std::string::npos);
}

TEST(ConsoleOutput, FocusedDomainStreamsOthersGoLineByLine)
{
    Console_domain a{"personal"};
    Console_domain b{"work"};
    test::log_text().clear();
    console_write(a.d(), "ward-shell$ ", 12); // a prompt: shown at once
    EXPECT_EQ(test::log_text(), "[personal] ward-shell$ ");
    console_write(b.d(), "half", 4); // not focused: buffered
    EXPECT_EQ(test::log_text(), "[personal] ward-shell$ ");
    console_write(b.d(), " line\r\n", 7); // a full line closes the open one first
    EXPECT_EQ(test::log_text(), "[personal] ward-shell$ \n[work] half line\n");
    console_write(a.d(), "ls\r\n", 4); // the focused line goes on under a fresh prefix
    EXPECT_EQ(test::log_text(), "[personal] ward-shell$ \n[work] half line\n[personal] ls\n");
    console_flush(a.d());
    console_flush(b.d());
}

TEST(ConsoleOutput, GuestCannotEraseItsPrefixOrDriveTheTerminal)
{
    Console_domain a{"personal"};
    test::log_text().clear();
    char const out[] = "ab\b\b\b\b\x1b[2K\x1b[1;1H[work] x\n";
    console_write(a.d(), out, sizeof out - 1);
    // Two backspaces over its own text, the rest dropped; escape sequences swallowed.
    EXPECT_EQ(test::log_text(), "[personal] ab\b\b[work] x\n");
    console_flush(a.d());
}

TEST(ConsoleOutput, NewFocusShowsItsBufferedPrompt)
{
    Console_domain a{"personal"};
    Console_domain b{"work"};
    console_write(b.d(), "ward-shell$ ", 12); // buffered: work has no focus
    test::log_text().clear();
    type("\x1dn");
    std::string const log = test::log_text();
    EXPECT_NE(log.find("input goes to domain " + std::to_string(b.d().id) + " 'work'"),
              std::string::npos);
    EXPECT_EQ(log.substr(log.size() - 19), "[work] ward-shell$ ") << log;
    console_flush(a.d());
    console_flush(b.d());
}

} // namespace
