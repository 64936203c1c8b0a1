// SPDX-License-Identifier: MIT
// wardstore over its Unix socket, driven through ward::store::Client: operations, watches,
// concurrent conflicting transactions, restarts (clean and kill -9), bad input and fairness.
#include "store_process.hpp"
#include "ward/store/client.hpp"
#include "ward/store/wire.hpp"

#include <algorithm>
#include <atomic>
#include <gtest/gtest.h>
#include <random>
#include <thread>
#include <vector>

namespace ward::store::test
{

namespace
{

using dom::store::Header;

std::string raw(uint32_t type, std::string const &payload, uint32_t tx = 0, uint32_t req = 1)
{
    Header const h{type, req, tx, static_cast<uint32_t>(payload.size())};
    return std::string{reinterpret_cast<char const *>(&h), sizeof h} + payload;
}

std::string z(std::string s)
{
    s += '\0';
    return s;
}

// Reads one message from a raw socket; false if the peer closed it (or 5 s passed).
bool read_msg(int fd, Header &h, std::string &payload)
{
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto const get = [&](char *p, size_t n) {
        while (n > 0) {
            ssize_t const r = ::recv(fd, p, n, 0);
            if (r <= 0)
                return false;
            p += r;
            n -= static_cast<size_t>(r);
        }
        return true;
    };
    if (!get(reinterpret_cast<char *>(&h), sizeof h))
        return false;
    payload.resize(h.len);
    return get(payload.data(), h.len);
}

class StoreSocket : public ::testing::Test
{
  protected:
    void SetUp() override { ASSERT_TRUE(store.start()); }
    Store_process store;
};

} // namespace

TEST_F(StoreSocket, ClientOperations)
{
    Client c{store.socket()};
    ASSERT_TRUE(c.connect());
    ASSERT_TRUE(c.write("/vm/1/name", "work"));
    EXPECT_EQ(*c.read("/vm/1/name"), "work");
    ASSERT_TRUE(c.mkdir("/vm/1/devices"));
    EXPECT_EQ(*c.directory("/vm/1"), (std::vector<std::string>{"name", "devices"}));
    EXPECT_EQ(c.read("/vm/2").error().name, "ENOENT");
    ASSERT_TRUE(c.set_perms("/vm/1/name", {"n1", "r2"}));
    EXPECT_EQ(*c.get_perms("/vm/1/name"), (std::vector<std::string>{"n1", "r2"}));
    EXPECT_EQ(c.set_perms("/vm/1/name", {"z1"}).error().name, "EINVAL");
    ASSERT_TRUE(c.rm("/vm/1"));
    EXPECT_EQ(c.read("/vm/1/name").error().name, "ENOENT");
    EXPECT_EQ(*c.get_domain_path(7), "/local/domain/7");
    EXPECT_EQ(c.write("/" + std::string(5000, 'a'), "").error().name, "E2BIG");
}

TEST_F(StoreSocket, WatchEventsAcrossClients)
{
    Client w{store.socket()};
    Client p{store.socket()};
    ASSERT_TRUE(w.watch("/watched", "tok"));
    auto first = w.wait_event(2000);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->path, "/watched");
    ASSERT_TRUE(p.write("/watched/x", "1"));
    auto e = w.wait_event(2000);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->path, "/watched/x");
    EXPECT_EQ(e->token, "tok");
    ASSERT_TRUE(p.write("/elsewhere", "1"));
    EXPECT_FALSE(w.wait_event(200));
    // Relative watches on the socket resolve against /local/domain/0 and stay relative.
    ASSERT_TRUE(w.watch("rel", "r"));
    ASSERT_TRUE(w.wait_event(2000));
    ASSERT_TRUE(p.write("/local/domain/0/rel/k", "1"));
    e = w.wait_event(2000);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->path, "rel/k");
}

TEST_F(StoreSocket, ConflictingTransactionsCountCorrectly)
{
    {
        Client c{store.socket()};
        ASSERT_TRUE(c.write("/counter", "0"));
    }
    constexpr int threads = 8, rounds = 40;
    std::atomic<int> failures{0};
    std::atomic<int> conflicts{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&] {
            Client c{store.socket()};
            for (int i = 0; i < rounds; ++i) {
                for (;;) {
                    auto const tx = c.transaction_start();
                    if (!tx) {
                        ++failures;
                        break;
                    }
                    auto const v = c.read("/counter", *tx);
                    if (!v || !c.write("/counter", std::to_string(std::stoi(*v) + 1), *tx)) {
                        ++failures;
                        break;
                    }
                    auto const end = c.transaction_end(*tx, true);
                    if (end)
                        break;
                    if (end.error().name != "EAGAIN") {
                        ++failures;
                        break;
                    }
                    ++conflicts;
                }
            }
        });
    }
    for (auto &t : ts)
        t.join();
    Client c{store.socket()};
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(*c.read("/counter"), std::to_string(threads * rounds));
    std::printf("conflicts retried: %d\n", conflicts.load());
}

TEST_F(StoreSocket, CleanRestartKeepsStateAndClientsReconnect)
{
    Client c{store.socket()};
    ASSERT_TRUE(c.write("/persist/a", "1"));
    ASSERT_TRUE(c.set_perms("/persist/a", {"n4", "r5"}));
    ASSERT_TRUE(c.watch("/persist", "w"));
    ASSERT_TRUE(c.wait_event(2000));
    EXPECT_EQ(store.stop(SIGTERM), 0);
    ASSERT_TRUE(store.start());
    EXPECT_EQ(*c.read("/persist/a"), "1"); // reconnects on its own
    EXPECT_EQ(*c.get_perms("/persist/a"), (std::vector<std::string>{"n4", "r5"}));
    while (c.wait_event(200)) {
    } // the re-registered watch's initial event
    Client other{store.socket()};
    ASSERT_TRUE(other.write("/persist/b", "2"));
    auto const e = c.wait_event(2000);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->path, "/persist/b");
}

namespace
{

// Writers (plain writes and two-node transactions) against `store`, killed with SIGKILL at a
// random moment in each of four rounds: after each restart every acknowledged write is there.
void kill_nine_rounds(Store_process &store)
{
    std::mt19937 rng{12345};
    int next = 0;
    for (int round = 0; round < 4; ++round) {
        std::atomic<int> acked{-1};
        std::atomic<bool> run{true};
        std::atomic<bool> done{false};
        std::string last_error; // written by the writer before `done`
        int const base = next;
        std::thread writer([&] {
            Client c{store.socket(), 0};
            for (int i = base; run; ++i) {
                // Alternate plain writes and transactions of two nodes.
                Result<void> r;
                if (i % 2) {
                    r = c.write("/crash/k" + std::to_string(i), std::to_string(i));
                } else {
                    r = c.transaction([&](uint32_t tx) -> Result<void> {
                        auto w = c.write("/crash/k" + std::to_string(i), std::to_string(i), tx);
                        if (!w)
                            return w;
                        return c.write("/crash/t" + std::to_string(i), "t", tx);
                    });
                }
                if (!r) {
                    last_error = r.error().name;
                    break;
                }
                acked = i;
            }
            done = true;
        });
        // Kill only once this round has an acknowledged write (an event, not a sleep count:
        // under load the first write can take long), then at a random moment after it.
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (acked.load() < base && !done.load() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 250));
        int const status = store.stop(SIGKILL);
        run = false;
        writer.join();
        ASSERT_TRUE(WIFSIGNALED(status));
        ASSERT_GE(acked.load(), base) << "no write was acknowledged in round " << round
                                      << (done ? " (writer stopped: " + last_error + ")" : "");
        ASSERT_TRUE(store.start());
        Client c{store.socket()};
        for (int i = 0; i <= acked; ++i) {
            auto const v = c.read("/crash/k" + std::to_string(i));
            ASSERT_TRUE(v) << "lost /crash/k" << i << " (acked up to " << acked << ")";
            ASSERT_EQ(*v, std::to_string(i));
            if (i % 2 == 0) {
                ASSERT_TRUE(c.read("/crash/t" + std::to_string(i))) << i;
            }
        }
        next = acked + 1;
        std::printf("round %d: %d acknowledged writes survived kill -9\n", round, acked + 1);
    }
}

} // namespace

TEST_F(StoreSocket, KillNineLosesNoAcknowledgedWrite)
{
    kill_nine_rounds(store);
}

// --durability=process acknowledges after write() to the journal: a kill -9 of the store
// (the page cache survives it) loses nothing acknowledged either.
TEST(StoreSocketDurability, ProcessModeKillNineLosesNoAcknowledgedWrite)
{
    Store_process store;
    store.extra_args = {"--durability=process"};
    ASSERT_TRUE(store.start());
    kill_nine_rounds(store);
}

TEST_F(StoreSocket, ProtocolViolationClosesOnlyThatConnection)
{
    Client good{store.socket()};
    ASSERT_TRUE(good.write("/alive", "yes"));
    int const bad = store.raw_connect();
    ASSERT_GE(bad, 0);
    Header const h{2, 1, 0, 5000}; // len > XENSTORE_PAYLOAD_MAX
    ASSERT_EQ(::send(bad, &h, sizeof h, 0), static_cast<ssize_t>(sizeof h));
    Header r;
    std::string p;
    EXPECT_FALSE(read_msg(bad, r, p)); // closed, no reply
    ::close(bad);
    EXPECT_EQ(*good.read("/alive"), "yes");
    EXPECT_TRUE(store.alive());
}

TEST_F(StoreSocket, BadRequestsGetXenErrors)
{
    int const fd = store.raw_connect();
    ASSERT_GE(fd, 0);
    struct Case
    {
        uint32_t type;
        std::string payload;
        uint32_t tx;
        char const *error;
    };
    std::vector<Case> const cases{
        {2, "/unterminated", 0, "EINVAL"},
        {2, z("/bad path"), 0, "EINVAL"},
        {2, z("/a//b"), 0, "EINVAL"},
        {2, z("/nothere"), 0, "ENOENT"},
        {2, z("/"), 4711, "ENOENT"},
        {7, z("T"), 4711, "ENOENT"},
        {20, "", 0, "ENOSYS"},
        {999, "", 0, "ENOSYS"},
        {16, "", 0, "ENOSYS"},
        {14, z("/") + z("bogus"), 0, "EINVAL"},
        {4, z("/w"), 0, "EINVAL"},
        {8, z("x") + z("1") + z("2"), 0, "EINVAL"},
    };
    uint32_t req = 100;
    for (auto const &k : cases) {
        std::string const m = raw(k.type, k.payload, k.tx, ++req);
        ASSERT_EQ(::send(fd, m.data(), m.size(), 0), static_cast<ssize_t>(m.size()));
        Header h;
        std::string p;
        ASSERT_TRUE(read_msg(fd, h, p)) << k.type;
        EXPECT_EQ(h.type, 16u) << k.type;
        EXPECT_EQ(h.req_id, req);
        EXPECT_EQ(h.tx_id, k.tx);
        EXPECT_EQ(p, z(k.error)) << "type " << k.type << " payload " << k.payload;
    }
    ::close(fd);
}

TEST_F(StoreSocket, GarbageFromManyConnectionsNeverCrashes)
{
    std::mt19937 rng{7};
    for (int i = 0; i < 200; ++i) {
        int const fd = store.raw_connect();
        ASSERT_GE(fd, 0);
        std::string junk(rng() % 300, '\0');
        for (auto &ch : junk)
            ch = static_cast<char>(rng());
        if (i % 3 == 0 && junk.size() >= 16) {
            uint32_t const len = rng() % 64;
            std::memcpy(junk.data() + 12, &len, 4); // plausible lengths too
        }
        [[maybe_unused]] auto s = ::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
        ::close(fd);
    }
    Client c{store.socket()};
    ASSERT_TRUE(c.write("/after", "ok"));
    EXPECT_EQ(*c.read("/after"), "ok");
    EXPECT_TRUE(store.alive());
}

TEST_F(StoreSocket, FloodingClientDoesNotStarveOthers)
{
    // One client pipelines a large burst of writes and never reads its replies; another holds
    // transactions open. A third must still be served promptly.
    int const flood = store.raw_connect();
    ASSERT_GE(flood, 0);
    std::atomic<bool> run{true};
    std::thread flooder([&] {
        std::string const m = raw(11, z("/flood/x") + std::string(1000, 'f'));
        std::string burst;
        for (int i = 0; i < 64; ++i)
            burst += m;
        while (run) {
            if (::send(flood, burst.data(), burst.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    Client holder{store.socket()};
    for (int i = 0; i < 5; ++i) {
        auto const tx = holder.transaction_start();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(holder.write("/held/" + std::to_string(i), "x", *tx));
    }
    Client c{store.socket()};
    std::vector<double> ms;
    for (int i = 0; i < 200; ++i) {
        auto const t0 = std::chrono::steady_clock::now();
        ASSERT_TRUE(c.write("/victim/" + std::to_string(i % 10), "v"));
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
    }
    run = false;
    flooder.join();
    ::close(flood);
    std::sort(ms.begin(), ms.end());
    std::printf("victim latency under flood: p50 %.2f ms, p99 %.2f ms\n", ms[100], ms[198]);
    EXPECT_LT(ms[198], 250.0);
}

} // namespace ward::store::test

namespace ward::store::test
{

// Quotas configured on the command line, globally and per domain, read and changed over the
// socket with GET_QUOTA / SET_QUOTA.
TEST(StoreSocketQuota, CommandLineAndSetQuotaPerDomain)
{
    Store_process store;
    ASSERT_TRUE(store.start("watches=3", "7:watches=9"));
    Client c{store.socket()};
    ASSERT_TRUE(c.connect());
    EXPECT_EQ(*c.request(25, z("watches")), z("3"));
    EXPECT_EQ(*c.request(25, z("7") + z("watches")), z("9"));
    EXPECT_EQ(*c.request(25, z("8") + z("watches")), z("3"));
    EXPECT_EQ(*c.request(25, z("8") + z("outstanding")), z("20"));
    ASSERT_TRUE(c.request(26, z("8") + z("nodes") + z("50")));
    EXPECT_EQ(*c.request(25, z("8") + z("nodes")), z("50"));
    EXPECT_EQ(*c.request(25, z("7") + z("nodes")), z("1000"));
    EXPECT_EQ(*c.request(25, z("nodes")), z("1000"));
    EXPECT_EQ(c.request(26, z("8") + z("bogus") + z("1")).error().name, "EINVAL");
    EXPECT_EQ(c.request(25, z("8") + z("bogus")).error().name, "EINVAL");
    // A bad --quota refuses to start.
    Store_process bad;
    EXPECT_FALSE(bad.start("x:watches=1"));
}

// A per-domain SET_QUOTA is journaled: it survives kill -9 (and the compaction at the next
// start) and wins over --quota for that domain and name; RELEASE forgets it.
TEST(StoreSocketQuota, SetQuotaPerDomainSurvivesRestart)
{
    Store_process store;
    ASSERT_TRUE(store.start());
    {
        Client c{store.socket()};
        ASSERT_TRUE(c.connect());
        EXPECT_EQ(*c.request(25, z("memory")), z("2621440"));
        ASSERT_TRUE(c.request(26, z("8") + z("nodes") + z("50")));
        ASSERT_TRUE(c.request(26, z("8") + z("memory") + z("4096")));
        ASSERT_TRUE(c.request(8, z("9") + z("1") + z("1"))); // INTRODUCE 9
        ASSERT_TRUE(c.request(26, z("9") + z("watches") + z("5")));
    }
    ASSERT_TRUE(WIFSIGNALED(store.stop(SIGKILL)));
    for (int restart = 0; restart < 2; ++restart) {
        ASSERT_TRUE(store.start("8:nodes=60")) << restart;
        Client c{store.socket()};
        ASSERT_TRUE(c.connect());
        EXPECT_EQ(*c.request(25, z("8") + z("nodes")), z("50"));
        EXPECT_EQ(*c.request(25, z("8") + z("memory")), z("4096"));
        EXPECT_EQ(*c.request(25, z("9") + z("watches")), z("5"));
        EXPECT_EQ(*c.request(25, z("9") + z("nodes")), z("1000"));
        EXPECT_EQ(*c.request(25, z("nodes")), z("1000"));
        ASSERT_TRUE(WIFSIGNALED(store.stop(SIGKILL)));
    }
    ASSERT_TRUE(store.start());
    {
        Client c{store.socket()};
        ASSERT_TRUE(c.connect());
        ASSERT_TRUE(c.request(9, z("9"))); // RELEASE 9
    }
    ASSERT_TRUE(WIFSIGNALED(store.stop(SIGKILL)));
    ASSERT_TRUE(store.start());
    Client c{store.socket()};
    ASSERT_TRUE(c.connect());
    EXPECT_EQ(*c.request(25, z("9") + z("watches")), z("128"));
}

} // namespace ward::store::test
