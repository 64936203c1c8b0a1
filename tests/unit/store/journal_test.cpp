// SPDX-License-Identifier: MIT
// Frame parsing and the journal: record codec, replay, torn tails, compaction.
#include "capture_sink.hpp"
#include "core/frame.hpp"
#include "persist/codec.hpp"
#include "persist/journal.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>

namespace dom::store::test
{

namespace fs = std::filesystem;

namespace
{

struct Temp_dir
{
    Temp_dir()
    {
        char tmpl[] = "/tmp/wardstore-journal-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~Temp_dir() { fs::remove_all(path); }
    std::string path;
};

std::string frame(uint32_t type, std::string const &payload)
{
    Header const h{type, 1, 0, static_cast<uint32_t>(payload.size())};
    return std::string{reinterpret_cast<char const *>(&h), sizeof h} + payload;
}

} // namespace

TEST(StoreFrame, SplitsAndRejects)
{
    std::string const two = frame(2, z("/a")) + frame(1, z("/"));
    auto const f = next_frame(two);
    ASSERT_TRUE(f && *f);
    EXPECT_EQ((*f)->payload, z("/a"));
    EXPECT_EQ((*f)->size, 16u + 3u);
    EXPECT_FALSE(*next_frame(two.substr(0, 10)));
    EXPECT_FALSE(*next_frame(two.substr(0, 18)));
    Header const big{2, 1, 0, PAYLOAD_MAX + 1};
    EXPECT_FALSE(next_frame(std::string{reinterpret_cast<char const *>(&big), 16}).has_value());
    std::string_view a[2];
    EXPECT_TRUE(split_args(z("x") + z("y"), a));
    EXPECT_FALSE(split_args(z("x") + "y", a));
    EXPECT_FALSE(split_args(z("x"), a));
}

TEST(StoreCodec, RoundTripsEveryKind)
{
    std::vector<Op> ops{
        Op{Op::Kind::PUT, "/a", std::string("v\0w", 3), {{5, ACCESS_NONE}, {2, ACCESS_READ}}},
        Op{Op::Kind::DEL, "/a", {}, {}},
        Op{Op::Kind::INTRODUCE, {}, {}, {}, 7, 3, -42},
        Op{Op::Kind::SET_TARGET, {}, {}, {}, 7, 4},
        Op{Op::Kind::RELEASE, {}, {}, {}, 7},
        Op{Op::Kind::SPECIAL_PERMS, "@releaseDomain", {}, {{0, ACCESS_NONE}}},
    };
    std::string rec;
    encode_record(ops, rec);
    auto const r = next_record(rec);
    ASSERT_TRUE(r);
    auto const back = decode_ops(r->payload);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->size(), ops.size());
    EXPECT_EQ((*back)[0].value, ops[0].value);
    EXPECT_EQ((*back)[0].perms, ops[0].perms);
    EXPECT_EQ((*back)[2].gfn, -42);
    rec[12] ^= 1;
    EXPECT_FALSE(next_record(rec)); // checksum
    EXPECT_FALSE(next_record(rec.substr(0, rec.size() - 1)));
}

TEST(StoreJournal, ReplaysAndDropsTornTail)
{
    Temp_dir dir;
    {
        Core core;
        std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
        Peer p{core, Caller{}};
        ASSERT_EQ(p.write("/keep/a", "1"), OK);
        ASSERT_EQ(p.text(Msg::SET_PERMS, z("/keep/a") + z("n3") + z("r4")), OK);
        ASSERT_EQ(p.text(Msg::INTRODUCE, z("3") + z("9") + z("1")), OK);
        j->append(core.take_journal());
        ASSERT_TRUE(j->sync());
        ASSERT_EQ(p.write("/keep/b", "2"), OK);
        j->append(core.take_journal());
        ASSERT_TRUE(j->sync());
    }
    // A crash in the middle of a later append leaves half a record.
    std::string log;
    for (auto const &e : fs::directory_iterator(dir.path))
        if (e.path().filename().string().rfind("log.", 0) == 0)
            log = e.path();
    ASSERT_FALSE(log.empty());
    {
        std::ofstream out{log, std::ios::app | std::ios::binary};
        out << std::string("\x40\x00\x00\x00garbage", 11);
    }
    Core core;
    std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
    Peer p{core, Caller{}};
    EXPECT_EQ(p.read("/keep/a"), "1");
    EXPECT_EQ(p.read("/keep/b"), "2");
    EXPECT_EQ(p.text(Msg::GET_PERMS, z("/keep/a")), z("n3") + z("r4"));
    EXPECT_EQ(p.text(Msg::IS_DOMAIN_INTRODUCED, z("3")), z("T"));
    EXPECT_EQ(p.text(Msg::DIRECTORY, z("/keep")), z("a") + z("b"));
}

TEST(StoreJournal, RefusesCorruptSnapshot)
{
    Temp_dir dir;
    {
        Core core;
        std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
    }
    {
        std::fstream f{dir.path + "/snapshot", std::ios::in | std::ios::out | std::ios::binary};
        f.seekp(20);
        f.put('X');
    }
    Core core;
    auto const r = Journal::open(dir.path, core);
    EXPECT_FALSE(r.has_value());
}

} // namespace dom::store::test
