// SPDX-License-Identifier: MIT
// hv/console_input.hpp: the escape reader, the `in` ring writer (indices the guest controls) and
// the output filter (what of a guest's output may reach the terminal).
#include "hv/console_input.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

namespace
{

using namespace hv::console;

struct Page
{
    alignas(4096) std::array<unsigned char, PAGE_BYTES> bytes{};
    uint32_t get(size_t off) const
    {
        uint32_t v;
        std::memcpy(&v, bytes.data() + off, 4);
        return v;
    }
    void set(size_t off, uint32_t v) { std::memcpy(bytes.data() + off, &v, 4); }
    std::span<unsigned char, PAGE_BYTES> span() { return bytes; }
};

std::span<char const> text(char const *s)
{
    return {s, std::strlen(s)};
}

TEST(EscapeReader, PlainBytesPass)
{
    Escape_reader r;
    for (int b = 0; b < 256; ++b) {
        if (b == ESCAPE)
            continue;
        Key const k = r.feed(static_cast<uint8_t>(b));
        EXPECT_EQ(k.action, Key_action::PASS);
        EXPECT_EQ(k.byte, b);
    }
}

TEST(EscapeReader, CommandsAfterCtrlBracket)
{
    Escape_reader r;
    EXPECT_EQ(r.feed(ESCAPE).action, Key_action::NONE);
    EXPECT_TRUE(r.armed());
    EXPECT_EQ(r.feed('n').action, Key_action::NEXT);
    EXPECT_FALSE(r.armed());
    r.feed(ESCAPE);
    Key const k = r.feed('7');
    EXPECT_EQ(k.action, Key_action::SELECT);
    EXPECT_EQ(k.byte, 7);
    r.feed(ESCAPE);
    EXPECT_EQ(r.feed('?').action, Key_action::LIST);
    r.feed(ESCAPE);
    Key const twice = r.feed(ESCAPE); // Ctrl-] Ctrl-]: one literal Ctrl-] for the guest
    EXPECT_EQ(twice.action, Key_action::PASS);
    EXPECT_EQ(twice.byte, ESCAPE);
    r.feed(ESCAPE);
    Key const other = r.feed('x'); // unknown: swallowed, never passed
    EXPECT_EQ(other.action, Key_action::UNKNOWN);
    EXPECT_EQ(r.feed('x').action, Key_action::PASS); // and the reader is disarmed
}

TEST(InputRing, WritesAndPublishesTheProducer)
{
    Page p;
    uint32_t prod = 0;
    auto const n = write_input(p.span(), prod, text("ls\r"));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 3u);
    EXPECT_EQ(prod, 3u);
    EXPECT_EQ(p.get(IN_PROD), 3u);
    EXPECT_EQ(std::memcmp(p.bytes.data() + IN_OFFSET, "ls\r", 3), 0);
    EXPECT_EQ(p.get(OUT_PROD), 0u); // nothing else of the page touched
    EXPECT_EQ(p.bytes[IN_OFFSET + 3], 0);
}

TEST(InputRing, StopsWhenFullAndWrapsAround)
{
    Page p;
    uint32_t prod = 0;
    std::string big(IN_SIZE + 10, 'a');
    auto n = write_input(p.span(), prod, {big.data(), big.size()});
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, IN_SIZE); // full: the rest is not written
    n = write_input(p.span(), prod, text("b"));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0u);
    p.set(IN_CONS, 5); // the guest consumed five bytes
    n = write_input(p.span(), prod, text("bcdefg"));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 5u);
    EXPECT_EQ(std::memcmp(p.bytes.data() + IN_OFFSET, "bcdef", 5), 0); // wrapped to the start
    EXPECT_EQ(p.get(IN_PROD), IN_SIZE + 5);
}

TEST(InputRing, IndicesNearTheWrapOfTheCounters)
{
    Page p;
    uint32_t prod = 0xfffffffeu;
    p.set(IN_CONS, 0xfffffffeu);
    auto const n = write_input(p.span(), prod, text("xyz"));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 3u);
    EXPECT_EQ(prod, 1u);
    EXPECT_EQ(p.bytes[IN_OFFSET + (0xfffffffeu & (IN_SIZE - 1))], 'x');
    EXPECT_EQ(p.bytes[IN_OFFSET + 0], 'z');
}

TEST(InputRing, ConsumerAheadOrFarBehindIsRefused)
{
    Page p;
    uint32_t prod = 10;
    p.set(IN_CONS, 11); // ahead of the producer
    auto n = write_input(p.span(), prod, text("q"));
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error(), Ring_error::BAD_INDICES);
    EXPECT_EQ(prod, 10u);
    EXPECT_EQ(p.bytes[IN_OFFSET + 10], 0);
    p.set(IN_CONS, 10 - IN_SIZE - 1); // more than a ring behind
    EXPECT_FALSE(write_input(p.span(), prod, text("q")));
    p.set(IN_CONS, 10 - IN_SIZE); // exactly full is fine (nothing fits)
    n = write_input(p.span(), prod, text("q"));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0u);
}

TEST(InputRing, GuestWrittenProducerIsIgnored)
{
    Page p;
    uint32_t prod = 0;
    p.set(IN_PROD, 0x12345678); // the guest scribbles on in_prod
    auto const n = write_input(p.span(), prod, text("ok"));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 2u);
    EXPECT_EQ(p.get(IN_PROD), 2u); // Ward's own index wins
    EXPECT_EQ(std::memcmp(p.bytes.data() + IN_OFFSET, "ok", 2), 0);
}

std::string filtered(char const *s)
{
    Output_filter f;
    std::string out;
    for (; *s != '\0'; ++s) {
        Out const o = f.feed(*s);
        switch (o.kind) {
        case Out_kind::DROP: break;
        case Out_kind::CHAR: out += o.c; break;
        case Out_kind::NEWLINE: out += '|'; break;
        case Out_kind::BACKSPACE: out += '<'; break;
        }
    }
    return out;
}

TEST(OutputFilter, PrintableTextNewlinesAndBackspaces)
{
    EXPECT_EQ(filtered("ward-shell$ ls\r\nbin\r\n"), "ward-shell$ ls|bin|");
    EXPECT_EQ(filtered("ab\b \b"), "ab< <");
    EXPECT_EQ(filtered("a\tb\x07"), "a b");
}

TEST(OutputFilter, EscapeSequencesAreSwallowedWhole)
{
    EXPECT_EQ(filtered("x\x1b[Ky"), "xy");
    EXPECT_EQ(filtered("\x1b[6n\x1b[1;31mred\x1b[0m"), "red");
    EXPECT_EQ(filtered("\x1b"
                       "cz"),
              "z");                                       // ESC + one byte (RIS)
    EXPECT_EQ(filtered("\x1b]0;title\x07t"), "0;titlet"); // OSC: only ESC ] dropped, BEL too
}

TEST(OutputFilter, ControlAndHighBytesShowAsQuestionMarks)
{
    EXPECT_EQ(filtered("\x01\x7f\xc3\xa9"), "????");
    // An unterminated CSI does not swallow the rest of the output.
    std::string longcsi = "\x1b[";
    longcsi += std::string(40, '1');
    longcsi += "tail";
    EXPECT_EQ(filtered(longcsi.c_str()).substr(filtered(longcsi.c_str()).size() - 4), "tail");
}

} // namespace

// Event_channels::raise_local: how Ward signals the console port it serves itself.
#include "hv/event_channel.hpp"

namespace
{

TEST(ConsolePort, RaiseLocalOnlyForAPortServedByTheHypervisor)
{
    hv::evtchn::Event_channels ch{3, 1};
    auto const console = ch.alloc_unbound(3); // what console_ring_setup makes
    ASSERT_TRUE(console);
    auto const n = ch.raise_local(*console);
    ASSERT_TRUE(n);
    EXPECT_TRUE(ch.pending(*console));
    EXPECT_TRUE(n->upcall);
    EXPECT_EQ(n->target, &ch);
    auto const peer_port = ch.alloc_unbound(7); // unbound for another domain: not Ward's
    ASSERT_TRUE(peer_port);
    EXPECT_FALSE(ch.raise_local(*peer_port));
    EXPECT_FALSE(ch.pending(*peer_port));
    EXPECT_FALSE(ch.raise_local(0));    // reserved
    EXPECT_FALSE(ch.raise_local(50));   // free
    EXPECT_FALSE(ch.raise_local(5000)); // out of range
    auto const virq = ch.bind_virq(hv::evtchn::VIRQ_TIMER, 0);
    ASSERT_TRUE(virq);
    EXPECT_FALSE(ch.raise_local(*virq));
}

} // namespace
