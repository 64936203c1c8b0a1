// SPDX-License-Identifier: MIT
// The shared-ring transport (struct xenstore_domain_interface) over a shared memory page with
// eventfd notifiers, served by the same Server and request core as the socket. The test plays
// the guest: it produces requests into req[], consumes replies from rsp[] and kicks.
#include "server/server.hpp"
#include "server/shm_ring_provider.hpp"
#include "ward/store/client.hpp"

#include <atomic>
#include <cstring>
#include <deque>
#include <filesystem>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace dom::store::test
{

namespace
{

std::string z(std::string s)
{
    s += '\0';
    return s;
}

uint32_t load(uint32_t const *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void store(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

// The guest side of one ring.
class Guest
{
  public:
    Guest()
    {
        void *m = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        page = static_cast<Ring_interface *>(m);
        // Indices need not start at 0: start near the wrap of uint32.
        page->req_cons = page->req_prod = 0xfffffc00u;
        page->rsp_cons = page->rsp_prod = 0xfffffe00u;
        to_store = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        to_guest = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    }
    ~Guest()
    {
        ::munmap(page, 4096);
        ::close(to_store);
        ::close(to_guest);
    }
    void kick()
    {
        uint64_t const one = 1;
        [[maybe_unused]] auto r = ::write(to_store, &one, sizeof one);
    }
    bool wait_kick(int ms)
    {
        pollfd p{to_guest, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0)
            return false;
        uint64_t v;
        [[maybe_unused]] auto r = ::read(to_guest, &v, sizeof v);
        return true;
    }
    // Produces bytes into req[], waiting for space as a frontend would.
    bool put(std::string_view bytes)
    {
        while (!bytes.empty()) {
            uint32_t const cons = load(&page->req_cons);
            uint32_t prod = page->req_prod;
            uint32_t const space = RING_SIZE - (prod - cons);
            if (space == 0) {
                if (!wait_kick(2000))
                    return false;
                continue;
            }
            uint32_t const off = ring_mask(prod);
            uint32_t const n =
                std::min<uint32_t>({space, RING_SIZE - off, static_cast<uint32_t>(bytes.size())});
            std::memcpy(page->req + off, bytes.data(), n);
            prod += n;
            store(&page->req_prod, prod);
            kick();
            bytes.remove_prefix(n);
        }
        return true;
    }
    bool get(char *out, size_t n)
    {
        while (n > 0) {
            uint32_t const prod = load(&page->rsp_prod);
            uint32_t cons = page->rsp_cons;
            if (prod == cons) {
                if (!wait_kick(2000))
                    return false;
                continue;
            }
            uint32_t const off = ring_mask(cons);
            uint32_t const k =
                std::min<uint32_t>({prod - cons, RING_SIZE - off, static_cast<uint32_t>(n)});
            std::memcpy(out, page->rsp + off, k);
            cons += k;
            store(&page->rsp_cons, cons);
            kick();
            out += k;
            n -= k;
        }
        return true;
    }
    struct Msg_in
    {
        Header h;
        std::string payload;
    };
    bool recv(Msg_in &m)
    {
        if (!get(reinterpret_cast<char *>(&m.h), sizeof m.h))
            return false;
        m.payload.resize(m.h.len);
        return get(m.payload.data(), m.h.len);
    }
    // Sends a request and returns its reply payload ("!ENAME" for errors); events are kept.
    std::string call(Msg type, std::string const &payload, uint32_t tx = 0)
    {
        Header const h{static_cast<uint32_t>(type), ++req_, tx,
                       static_cast<uint32_t>(payload.size())};
        if (!put(std::string_view{reinterpret_cast<char const *>(&h), sizeof h}) || !put(payload))
            return "!TIMEOUT";
        for (;;) {
            Msg_in m;
            if (!recv(m))
                return "!TIMEOUT";
            if (m.h.type == static_cast<uint32_t>(Msg::WATCH_EVENT)) {
                events.push_back(m.payload);
                continue;
            }
            if (m.h.req_id != req_)
                return "!WRONGID";
            if (m.h.type == static_cast<uint32_t>(Msg::ERROR))
                return "!" + m.payload.substr(0, m.payload.size() - 1);
            return m.payload;
        }
    }
    std::string next_event()
    {
        if (events.empty()) {
            Msg_in m;
            if (!recv(m))
                return "!TIMEOUT";
            events.push_back(m.payload);
        }
        std::string e = events.front();
        events.erase(events.begin());
        return e;
    }

    Ring_interface *page;
    int to_store;
    int to_guest;
    std::vector<std::string> events;

  private:
    uint32_t req_ = 0;
};

class StoreRing : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/wardstore-ring-XXXXXX";
        dir = ::mkdtemp(tmpl);
        Server_options o;
        o.socket_path = dir + "/sock";
        o.state_dir = dir + "/state";
        o.core.quotas.watches = 3;
        server = std::make_unique<Server>(o);
        server->set_ring_provider(&provider);
        ASSERT_TRUE(server->start());
        loop = std::thread([this] { ASSERT_TRUE(server->run()); });
        dom0 = std::make_unique<ward::store::Client>(o.socket_path);
        ASSERT_TRUE(dom0->connect());
    }
    void TearDown() override
    {
        dom0.reset();
        server->stop();
        loop.join();
        server.reset();
        std::filesystem::remove_all(dir);
    }
    // Registers the guest's page under `gfn` and introduces domain `domid` with it.
    void introduce(Guest &g, uint32_t domid, int64_t gfn)
    {
        provider.add_page(gfn, g.page, g.to_store, g.to_guest);
        ASSERT_TRUE(dom0->write("/local/domain/" + std::to_string(domid), ""));
        ASSERT_TRUE(dom0->set_perms("/local/domain/" + std::to_string(domid),
                                    {"n" + std::to_string(domid)}));
        ASSERT_TRUE(dom0->request(8, z(std::to_string(domid)) + z(std::to_string(gfn)) + z("1")));
    }

    // Guests live as long as the fixture: their pages stay mapped until the server stopped.
    Guest &guest() { return guests.emplace_back(); }

    std::deque<Guest> guests;
    std::string dir;
    Shm_ring_provider provider;
    std::unique_ptr<Server> server;
    std::thread loop;
    std::unique_ptr<ward::store::Client> dom0;
};

} // namespace

TEST_F(StoreRing, GuestRequestsThroughTheRing)
{
    Guest &g = guest();
    introduce(g, 5, 4660);
    EXPECT_EQ(load(&g.page->server_features) & FEATURE_RECONNECTION, FEATURE_RECONNECTION);
    EXPECT_EQ(g.call(Msg::WRITE, z("data/x") + "hello"), z("OK"));
    EXPECT_EQ(*dom0->read("/local/domain/5/data/x"), "hello");
    EXPECT_EQ(*dom0->get_perms("/local/domain/5/data/x"), (std::vector<std::string>{"n5"}));
    EXPECT_EQ(g.call(Msg::READ, z("/local/domain/5/data/x")), "hello");
    EXPECT_EQ(g.call(Msg::GET_DOMAIN_PATH, z("5")), z("/local/domain/5"));
    // An unprivileged domain: no access outside its own subtree, no privileged operations.
    ASSERT_TRUE(dom0->write("/local/domain/0/secret", "s"));
    EXPECT_EQ(g.call(Msg::READ, z("/local/domain/0/secret")), "!EACCES");
    EXPECT_EQ(g.call(Msg::INTRODUCE, z("6") + z("1") + z("1")), "!EACCES");
    EXPECT_EQ(g.call(Msg::READ, z("nothere")), "!ENOENT");
}

TEST_F(StoreRing, LargeMessagesWrapTheRing)
{
    Guest &g = guest();
    introduce(g, 5, 77);
    for (int i = 0; i < 20; ++i) {
        std::string const v(1000 + i * 50, static_cast<char>('a' + i % 26));
        ASSERT_EQ(g.call(Msg::WRITE, z("big") + v), z("OK")) << i;
        ASSERT_EQ(g.call(Msg::READ, z("big")), v) << i;
    }
}

TEST_F(StoreRing, WatchesAndQuotaOverTheRing)
{
    Guest &g = guest();
    introduce(g, 5, 78);
    EXPECT_EQ(g.call(Msg::WATCH, z("data") + z("t")), z("OK"));
    EXPECT_EQ(g.next_event(), z("data") + z("t"));
    ASSERT_TRUE(dom0->write("/local/domain/5/data/y", "1"));
    EXPECT_EQ(g.next_event(), z("data/y") + z("t"));
    EXPECT_EQ(g.call(Msg::WATCH, z("a") + z("1")), z("OK"));
    EXPECT_EQ(g.call(Msg::WATCH, z("b") + z("2")), z("OK"));
    EXPECT_EQ(g.call(Msg::WATCH, z("c") + z("3")), "!ENOSPC"); // quota 3
}

// Quotas are per domain: dom5 at its limits does not hold back dom6, and SET_QUOTA from the
// socket changes one domain's quota only.
TEST_F(StoreRing, QuotasArePerDomain)
{
    Guest &g5 = guest();
    Guest &g6 = guest();
    introduce(g5, 5, 90);
    introduce(g6, 6, 91);
    for (char const *t : {"1", "2", "3"})
        ASSERT_EQ(g5.call(Msg::WATCH, z("w") + z(t)), z("OK")) << t;
    EXPECT_EQ(g5.call(Msg::WATCH, z("w") + z("4")), "!ENOSPC");
    for (char const *t : {"1", "2", "3"})
        EXPECT_EQ(g6.call(Msg::WATCH, z("w") + z(t)), z("OK")) << t;
    ASSERT_TRUE(dom0->request(26, z("5") + z("watches") + z("5"))); // SET_QUOTA
    EXPECT_EQ(*dom0->request(25, z("5") + z("watches")), z("5"));
    EXPECT_EQ(*dom0->request(25, z("6") + z("watches")), z("3"));
    EXPECT_EQ(g5.call(Msg::WATCH, z("w") + z("4")), z("OK"));
    EXPECT_EQ(g6.call(Msg::WATCH, z("w") + z("4")), "!ENOSPC");
    // Transactions: ENOSPC at the domain's limit, the other domain unaffected.
    ASSERT_TRUE(dom0->request(26, z("5") + z("transactions") + z("1")));
    EXPECT_EQ(g5.call(Msg::TRANSACTION_START, z("")).front(), '1');
    EXPECT_EQ(g5.call(Msg::TRANSACTION_START, z("")), "!ENOSPC");
    EXPECT_NE(g6.call(Msg::TRANSACTION_START, z("")).front(), '!');
    EXPECT_NE(g6.call(Msg::TRANSACTION_START, z("")).front(), '!');
    // Nodes: dom5 may own 3 (its home counts), dom6 keeps the default.
    ASSERT_TRUE(dom0->request(26, z("5") + z("nodes") + z("3")));
    EXPECT_EQ(g5.call(Msg::WRITE, z("a") + "1"), z("OK"));
    EXPECT_EQ(g5.call(Msg::WRITE, z("b") + "1"), z("OK"));
    EXPECT_EQ(g5.call(Msg::WRITE, z("c") + "1"), "!ENOSPC");
    EXPECT_EQ(g6.call(Msg::WRITE, z("c") + "1"), z("OK"));
}

// The outstanding quota: the store takes no further request from a domain while that many of
// its replies have not left the store (its response ring is full); other domains go on.
TEST_F(StoreRing, OutstandingRequestsPerDomain)
{
    Guest &g5 = guest();
    Guest &g6 = guest();
    introduce(g5, 5, 92);
    introduce(g6, 6, 93);
    ASSERT_TRUE(dom0->request(26, z("5") + z("outstanding") + z("2")));
    std::string const big(1000, 'x'); // one reply nearly fills the 1 KiB response ring
    ASSERT_TRUE(dom0->write("/local/domain/5/big", big));
    // Five pipelined READs and then a WRITE, without reading any reply.
    uint32_t req = 100;
    auto const send = [&](Msg type, std::string const &payload) {
        Header const h{static_cast<uint32_t>(type), ++req, 0,
                       static_cast<uint32_t>(payload.size())};
        return g5.put(std::string_view{reinterpret_cast<char const *>(&h), sizeof h}) &&
               g5.put(payload);
    };
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(send(Msg::READ, z("big")));
    ASSERT_TRUE(send(Msg::WRITE, z("marker") + "1"));
    // dom6 is served meanwhile.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(g6.call(Msg::WRITE, z("x") + std::to_string(i)), z("OK"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(dom0->read("/local/domain/5/marker").error().name, "ENOENT");
    // Reading the replies lets the rest through, in order.
    for (int i = 0; i < 5; ++i) {
        Guest::Msg_in m;
        ASSERT_TRUE(g5.recv(m)) << i;
        EXPECT_EQ(m.h.req_id, 101u + static_cast<uint32_t>(i));
        EXPECT_EQ(m.payload, big);
    }
    Guest::Msg_in m;
    ASSERT_TRUE(g5.recv(m));
    EXPECT_EQ(m.h.req_id, 106u);
    EXPECT_EQ(m.payload, z("OK"));
    EXPECT_EQ(*dom0->read("/local/domain/5/marker"), "1");
}

TEST_F(StoreRing, ReconnectDropsWatchesAndTransactions)
{
    Guest &g = guest();
    introduce(g, 5, 79);
    EXPECT_EQ(g.call(Msg::WATCH, z("data") + z("t")), z("OK"));
    auto const tx = g.call(Msg::TRANSACTION_START, z(""));
    ASSERT_EQ(tx.front(), '1');
    store(&g.page->connection, RING_RECONNECT);
    g.kick();
    for (int i = 0; i < 200 && load(&g.page->connection) != RING_CONNECTED; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(load(&g.page->connection), RING_CONNECTED);
    g.events.clear();
    EXPECT_EQ(g.call(Msg::UNWATCH, z("data") + z("t")), "!ENOENT");
    EXPECT_EQ(g.call(Msg::TRANSACTION_END, z("T"), 1), "!ENOENT");
}

TEST_F(StoreRing, BadIndicesCloseOnlyThatRing)
{
    Guest &bad = guest();
    Guest &good = guest();
    introduce(bad, 5, 80);
    introduce(good, 6, 81);
    store(&bad.page->req_prod, load(&bad.page->req_cons) + 5000); // prod - cons > 1024
    bad.kick();
    for (int i = 0; i < 200 && load(&bad.page->error) == RING_ERROR_NONE; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(load(&bad.page->error), RING_ERROR_RINGIDX);
    EXPECT_EQ(good.call(Msg::WRITE, z("ok") + "1"), z("OK"));
    EXPECT_EQ(*dom0->read("/local/domain/6/ok"), "1");
}

TEST_F(StoreRing, OversizedMessageIsAProtocolError)
{
    Guest &g = guest();
    introduce(g, 5, 82);
    Header const h{2, 1, 0, 5000};
    ASSERT_TRUE(g.put(std::string_view{reinterpret_cast<char const *>(&h), sizeof h}));
    for (int i = 0; i < 200 && load(&g.page->error) == RING_ERROR_NONE; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(load(&g.page->error), RING_ERROR_PROTO);
    EXPECT_TRUE(dom0->write("/still", "fine"));
}

TEST_F(StoreRing, ReleaseFiresAndDetaches)
{
    Guest &g = guest();
    introduce(g, 5, 83);
    ASSERT_TRUE(dom0->watch("@releaseDomain", "rel"));
    ASSERT_TRUE(dom0->wait_event(2000));
    EXPECT_EQ(g.call(Msg::WRITE, z("mine") + "1"), z("OK"));
    ASSERT_TRUE(dom0->request(9, z("5")));
    auto const e = dom0->wait_event(2000);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->path, "@releaseDomain");
    EXPECT_EQ(dom0->read("/local/domain/5/mine").error().name, "ENOENT"); // its nodes went
    EXPECT_EQ(*dom0->request(17, z("5")), z("F"));
}

} // namespace dom::store::test
