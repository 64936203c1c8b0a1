// SPDX-License-Identifier: MIT
// GUI protocol framing and structural validation: one test per rule in docs/gui-protocol.md.
#include "ward/gui/encoder.hpp"
#include "ward/gui/parser.hpp"

#include <gtest/gtest.h>

using namespace gvm::proto;

namespace
{

hv::Result<std::optional<Message>, Violation> parse_one(std::vector<uint8_t> const &bytes,
                                                        Direction from = Direction::FROM_AGENT)
{
    Stream_parser p{from};
    p.feed(bytes);
    return p.next();
}

Violation violation(std::vector<uint8_t> const &bytes, Direction from = Direction::FROM_AGENT)
{
    auto r = parse_one(bytes, from);
    EXPECT_FALSE(r);
    return r ? Violation::BAD_VERSION : r.error();
}

std::vector<uint8_t> header(uint32_t type, uint32_t window, uint32_t len)
{
    std::vector<uint8_t> v(sizeof(Header));
    Header const h{type, window, len};
    std::memcpy(v.data(), &h, sizeof h);
    return v;
}

} // namespace

TEST(GuiProtocol, CreateRoundTrip)
{
    auto r = parse_one(encode(Type::CREATE, 7, Create_body{-5, 10, 640, 480, 0, 1}));
    ASSERT_TRUE(r && *r);
    Message const &m = **r;
    EXPECT_EQ(m.type, Type::CREATE);
    EXPECT_EQ(m.window, 7u);
    auto const &c = std::get<Create_body>(m.body);
    EXPECT_EQ(c.x, -5);
    EXPECT_EQ(c.width, 640u);
    EXPECT_EQ(c.override_redirect, 1u);
}

TEST(GuiProtocol, MessagesSplitAcrossFeedsAreReassembled)
{
    auto bytes = encode(Type::DAMAGE, 3, Damage_body{1, 2, 3, 4});
    auto more = encode_empty(Type::UNMAP, 3);
    bytes.insert(bytes.end(), more.begin(), more.end());
    Stream_parser p{Direction::FROM_AGENT};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        p.feed({bytes.data() + i, 1});
        if (i + 1 < 28) {
            auto r = p.next();
            ASSERT_TRUE(r);
            EXPECT_FALSE(*r) << i;
        }
    }
    auto a = p.next();
    ASSERT_TRUE(a && *a);
    EXPECT_EQ((*a)->type, Type::DAMAGE);
    auto b = p.next();
    ASSERT_TRUE(b && *b);
    EXPECT_EQ((*b)->type, Type::UNMAP);
    EXPECT_EQ(p.buffered(), 0u);
}

TEST(GuiProtocol, UnknownTypeIsFatal)
{
    EXPECT_EQ(violation(header(999, 1, 0)), Violation::UNKNOWN_TYPE);
    EXPECT_EQ(violation(header(135, 1, 0)), Violation::UNKNOWN_TYPE); // Qubes MFNDUMP: not in Ward
}

TEST(GuiProtocol, AgentCannotSendInputOrDaemonOnlyMessages)
{
    EXPECT_EQ(violation(encode(Type::KEYPRESS, 1, Keypress_body{})), Violation::WRONG_DIRECTION);
    EXPECT_EQ(violation(encode(Type::FOCUS, 1, Focus_body{})), Violation::WRONG_DIRECTION);
    EXPECT_EQ(violation(encode_empty(Type::CLIPBOARD_REQ, 0)), Violation::WRONG_DIRECTION);
    // The agent's parser refuses agent-only messages from the daemon.
    EXPECT_EQ(violation(encode(Type::CREATE, 1, Create_body{}), Direction::FROM_DAEMON),
              Violation::WRONG_DIRECTION);
}

TEST(GuiProtocol, FixedLengthsAreStrict)
{
    auto shortened = encode(Type::CREATE, 1, Create_body{});
    shortened.resize(shortened.size() - 4);
    reinterpret_cast<Header *>(shortened.data())->untrusted_len = 20;
    EXPECT_EQ(violation(shortened), Violation::BAD_LENGTH);
    EXPECT_EQ(violation(header(static_cast<uint32_t>(Type::UNMAP), 1, 4)), Violation::BAD_LENGTH);
    EXPECT_EQ(violation(header(static_cast<uint32_t>(Type::TITLE), 1, 0xffffffff)),
              Violation::BAD_LENGTH);
}

TEST(GuiProtocol, TruncatedMessageWaitsForMoreBytes)
{
    auto bytes = encode(Type::CONFIGURE, 1, Configure_body{});
    bytes.resize(bytes.size() - 1);
    auto r = parse_one(bytes);
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r);
}

TEST(GuiProtocol, ClipboardLimit)
{
    std::vector<uint8_t> data(MAX_CLIPBOARD + 1, 'a'); // "too big" marker is still well formed
    auto r = parse_one(encode_clipboard(data));
    ASSERT_TRUE(r && *r);
    EXPECT_EQ(std::get<Clipboard>((*r)->body).data.size(), MAX_CLIPBOARD + 1);
    EXPECT_EQ(violation(header(static_cast<uint32_t>(Type::CLIPBOARD_DATA), 0, MAX_CLIPBOARD + 2)),
              Violation::TOO_LONG);
}

TEST(GuiProtocol, FlagsMustBeDisjoint)
{
    EXPECT_EQ(violation(encode(Type::FLAGS, 1, Flags_body{FLAG_FULLSCREEN, FLAG_FULLSCREEN})),
              Violation::BAD_VALUE);
    EXPECT_TRUE(parse_one(encode(Type::FLAGS, 1, Flags_body{FLAG_FULLSCREEN, FLAG_MINIMIZE})));
}

TEST(GuiProtocol, CursorRange)
{
    EXPECT_TRUE(parse_one(encode(Type::CURSOR, 1, Cursor_body{CURSOR_DEFAULT})));
    EXPECT_TRUE(parse_one(encode(Type::CURSOR, 1, Cursor_body{CURSOR_X11 + 2})));
    EXPECT_EQ(violation(encode(Type::CURSOR, 1, Cursor_body{CURSOR_X11_MAX})),
              Violation::BAD_VALUE);
    EXPECT_EQ(violation(encode(Type::CURSOR, 1, Cursor_body{5})), Violation::BAD_VALUE);
}

TEST(GuiProtocol, WindowDumpMemfd)
{
    auto r = parse_one(encode_dump_memfd(4, 100, 50, 9));
    ASSERT_TRUE(r && *r);
    auto const &d = std::get<Window_dump>((*r)->body);
    EXPECT_EQ(d.hdr.type, DUMP_TYPE_MEMFD);
    EXPECT_EQ(d.handle, 9u);
}

TEST(GuiProtocol, WindowDumpGrantRefsMustMatchTheSize)
{
    // 100x50x4 = 20000 bytes = 5 pages.
    std::vector<uint32_t> body{DUMP_TYPE_GRANT_REFS, 100, 50, 32, 1, 2, 3, 4, 5};
    auto ok = encode_raw(Type::WINDOW_DUMP, 4, body.data(), body.size() * 4);
    auto r = parse_one(ok);
    ASSERT_TRUE(r && *r);
    EXPECT_EQ(std::get<Window_dump>((*r)->body).refs.size(), 5u);
    body.pop_back();
    EXPECT_EQ(violation(encode_raw(Type::WINDOW_DUMP, 4, body.data(), body.size() * 4)),
              Violation::BAD_LENGTH);
}

TEST(GuiProtocol, WindowDumpFieldChecks)
{
    auto bad_bpp = std::vector<uint32_t>{DUMP_TYPE_MEMFD, 10, 10, 24, 1};
    EXPECT_EQ(violation(encode_raw(Type::WINDOW_DUMP, 4, bad_bpp.data(), 20)),
              Violation::BAD_VALUE);
    auto zero = std::vector<uint32_t>{DUMP_TYPE_MEMFD, 0, 10, 32, 1};
    EXPECT_EQ(violation(encode_raw(Type::WINDOW_DUMP, 4, zero.data(), 20)), Violation::BAD_VALUE);
    auto huge = std::vector<uint32_t>{DUMP_TYPE_MEMFD, MAX_WINDOW_WIDTH + 1, 10, 32, 1};
    EXPECT_EQ(violation(encode_raw(Type::WINDOW_DUMP, 4, huge.data(), 20)), Violation::BAD_VALUE);
    auto type = std::vector<uint32_t>{7, 10, 10, 32, 1};
    EXPECT_EQ(violation(encode_raw(Type::WINDOW_DUMP, 4, type.data(), 20)), Violation::BAD_VALUE);
    EXPECT_EQ(violation(header(static_cast<uint32_t>(Type::WINDOW_DUMP), 4, 0x7fffffff)),
              Violation::TOO_LONG);
    EXPECT_EQ(violation(header(static_cast<uint32_t>(Type::WINDOW_DUMP), 4, 18)),
              Violation::BAD_LENGTH);
}

TEST(GuiProtocol, ParserStaysFailedAfterAViolation)
{
    Stream_parser p{Direction::FROM_AGENT};
    p.feed(header(999, 0, 0));
    EXPECT_FALSE(p.next());
    p.feed(encode_empty(Type::UNMAP, 1));
    EXPECT_FALSE(p.next());
}

TEST(GuiProtocol, VersionNegotiation)
{
    EXPECT_EQ(*negotiate(VERSION), VERSION);
    EXPECT_EQ(*negotiate(VERSION_MAJOR << 16 | 9), VERSION); // newer minor: ours
    auto r = negotiate(2u << 16);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Violation::BAD_VERSION);
}
