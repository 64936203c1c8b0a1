// SPDX-License-Identifier: MIT
// Frame parsing and the journal: record codec, replay, torn tails, compaction.
#include "capture_sink.hpp"
#include "core/frame.hpp"
#include "persist/codec.hpp"
#include "persist/journal.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <thread>

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
        Op{Op::Kind::QUOTA, "memory", {}, {}, 7, 4096},
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
    EXPECT_EQ((*back)[6].path, "memory");
    EXPECT_EQ((*back)[6].a, 7u);
    EXPECT_EQ((*back)[6].b, 4096u);
    EXPECT_FALSE(next_record(std::string(64, '\0'))); // zero fill is not a record
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

namespace
{

std::string log_file(std::string const &dir)
{
    for (auto const &e : fs::directory_iterator(dir))
        if (e.path().filename().string().rfind("log.", 0) == 0)
            return e.path();
    return {};
}

} // namespace

// The log is a zero-filled, preallocated segment: appends do not change its size, a torn
// write inside it is dropped on replay, and records past the segment grow it.
TEST(StoreJournal, PreallocatedSegmentTornWriteAndGrowth)
{
    Temp_dir dir;
    uint64_t end = 0;
    {
        Core core;
        std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
        EXPECT_EQ(fs::file_size(log_file(dir.path)), Journal::SEGMENT);
        Peer p{core, Caller{}};
        ASSERT_EQ(p.write("/a", "1"), OK);
        j->append(core.take_journal());
        ASSERT_TRUE(j->sync());
        EXPECT_EQ(fs::file_size(log_file(dir.path)), Journal::SEGMENT);
        end = j->log_bytes();
        EXPECT_GT(end, 0u);
    }
    {
        // A crash while writing the next record: its header and part of its payload.
        std::string torn;
        encode_record({Op{Op::Kind::PUT, "/torn", "xxxxxxxx", {{0, ACCESS_NONE}}}}, torn);
        std::fstream f{log_file(dir.path), std::ios::in | std::ios::out | std::ios::binary};
        f.seekp(static_cast<std::streamoff>(end));
        // Cut inside the value (the permissions at the end are mostly zero bytes).
        f.write(torn.data(), static_cast<std::streamsize>(torn.size() - 12));
    }
    {
        Core core;
        std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
        Peer p{core, Caller{}};
        EXPECT_EQ(p.read("/a"), "1");
        EXPECT_EQ(p.read("/torn"), "!ENOENT");
        // 6 MiB of records: more than one segment.
        std::string const big(1 << 20, 'v');
        for (int i = 0; i < 6; ++i) {
            j->append({Op{Op::Kind::PUT, "/big" + std::to_string(i), big, {{0, ACCESS_NONE}}}});
            ASSERT_TRUE(j->sync());
        }
        EXPECT_GT(fs::file_size(log_file(dir.path)), j->log_bytes());
        EXPECT_GT(j->log_bytes(), Journal::SEGMENT);
    }
    Core core;
    std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
    EXPECT_EQ(core.tree().find("/big5")->value.size(), size_t{1} << 20);
    EXPECT_EQ(core.tree().find("/a")->value, "1");
}

// Group commit: the records of many requests queued before one sync() cost one fdatasync.
TEST(StoreJournal, OneSyncCoversEveryQueuedRecord)
{
    Temp_dir dir;
    Core core;
    std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
    Peer a{core, Caller{}}, b{core, Caller{}};
    uint64_t const before = j->data_syncs();
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(a.write("/a/" + std::to_string(i), "x"), OK);
        ASSERT_EQ(b.write("/b/" + std::to_string(i), "y"), OK);
        j->append(core.take_journal());
    }
    ASSERT_TRUE(j->sync());
    EXPECT_EQ(j->data_syncs(), before + 1);
    ASSERT_TRUE(j->sync()); // nothing queued: no sync
    EXPECT_EQ(j->data_syncs(), before + 1);
}

// Durability::PROCESS: sync() returns once the records are written (a second reader of the
// state directory, like a restart after kill -9, sees them), and the flusher thread
// fdatasyncs them soon after.
TEST(StoreJournal, ProcessDurabilityWritesNowAndSyncsSoon)
{
    Temp_dir dir;
    Core_options o;
    o.durability = Durability::PROCESS;
    Core core{o};
    std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
    EXPECT_EQ(j->durability(), Durability::PROCESS);
    Peer p{core, Caller{}};
    uint64_t const before = j->data_syncs();
    ASSERT_EQ(p.write("/p/a", "1"), OK);
    j->append(core.take_journal());
    ASSERT_TRUE(j->sync());
    {
        Temp_dir copy;
        fs::copy(dir.path, copy.path,
                 fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        Core other;
        std::unique_ptr<Journal> k{*Journal::open(copy.path, other)};
        EXPECT_EQ(other.tree().find("/p/a")->value, "1");
    }
    // The flusher's fdatasync follows within FLUSH_DELAY plus the disk's sync time.
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (j->data_syncs() == before && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_GT(j->data_syncs(), before);
    // Compaction with the flusher running keeps everything.
    ASSERT_EQ(p.write("/p/b", "2"), OK);
    j->append(core.take_journal());
    ASSERT_TRUE(j->sync());
    ASSERT_TRUE(j->compact(core));
    ASSERT_EQ(p.write("/p/c", "3"), OK);
    j->append(core.take_journal());
    ASSERT_TRUE(j->sync());
    j.reset(); // stops the flusher after a last sync
    Core again;
    std::unique_ptr<Journal> k{*Journal::open(dir.path, again)};
    for (char const *n : {"/p/a", "/p/b", "/p/c"})
        EXPECT_NE(again.tree().find(n), nullptr) << n;
}

// A per-domain SET_QUOTA is journaled (log, then snapshot after compaction); RELEASE forgets
// it; a journaled value wins over the command line's for that domain and name.
TEST(StoreJournal, PerDomainQuotaSurvivesRestart)
{
    Temp_dir dir;
    {
        Core core;
        std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
        Peer p{core, Caller{}};
        ASSERT_EQ(p.text(Msg::SET_QUOTA, z("5") + z("watches") + z("3")), OK);
        ASSERT_EQ(p.text(Msg::SET_QUOTA, z("6") + z("memory") + z("777")), OK);
        ASSERT_EQ(p.text(Msg::SET_QUOTA, z("7") + z("nodes") + z("9")), OK);
        ASSERT_EQ(p.text(Msg::RELEASE, z("7")), "!ENOENT"); // 7 was never introduced
        ASSERT_EQ(p.text(Msg::INTRODUCE, z("7") + z("1") + z("1")), OK);
        ASSERT_EQ(p.text(Msg::RELEASE, z("7")), OK);
        ASSERT_EQ(p.text(Msg::SET_QUOTA, z("nodes") + z("11")), OK); // global: not kept
        j->append(core.take_journal());
        ASSERT_TRUE(j->sync());
    }
    for (int restart = 0; restart < 2; ++restart) { // log replay, then the snapshot
        Core_options o;
        o.domain_quotas.push_back({5, "watches", 99});
        o.domain_quotas.push_back({5, "nodes", 42});
        Core core{o};
        std::unique_ptr<Journal> j{*Journal::open(dir.path, core)};
        Peer p{core, Caller{}};
        EXPECT_EQ(p.text(Msg::GET_QUOTA, z("5") + z("watches")), z("3")) << restart;
        EXPECT_EQ(p.text(Msg::GET_QUOTA, z("5") + z("nodes")), z("42")) << restart;
        EXPECT_EQ(p.text(Msg::GET_QUOTA, z("6") + z("memory")), z("777")) << restart;
        EXPECT_EQ(p.text(Msg::GET_QUOTA, z("7") + z("nodes")), z("1000")) << restart;
        EXPECT_EQ(p.text(Msg::GET_QUOTA, z("nodes")), z("1000")) << restart;
    }
}

} // namespace dom::store::test
