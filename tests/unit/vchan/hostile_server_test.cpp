// SPDX-License-Identifier: MIT
// A client facing a forged control page: every field the server controls is checked.
#include "ward/vchan/vchan.hpp"

#include <chrono>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include "socket_transport.hpp"

using namespace dom::vchan;

namespace
{

// A server played by hand: a listening socket, the client under test connected to it and
// accepted; everything is closed and removed at the end.
struct Forged_server
{
    char dir[32] = "/tmp/ward-vchan-XXXXXX";
    Endpoint ep;
    int lfd = -1;
    int conn = -1;
    hv::Result<Vchan::Ptr, Error> client{hv::unexpected(Error::NOT_CONNECTED)};

    Forged_server()
    {
        if (!::mkdtemp(dir))
            return;
        ep = Endpoint{dir, 9, 0, 1};
        lfd = *socket::listen_at(ep.socket_path());
        client = Vchan::client_init(ep);
        if (client)
            conn = **socket::accept_one(lfd);
    }
    ~Forged_server()
    {
        if (client)
            client->reset();
        if (conn >= 0)
            ::close(conn);
        if (lfd >= 0)
            ::close(lfd);
        ::unlink(ep.socket_path().c_str());
        ::rmdir(dir);
    }
    Vchan &c() { return **client; }
};

// Sends the client a memfd prepared by `forge`; returns what the client made of it.
Error connect_to_forged(std::function<int()> forge)
{
    Forged_server f;
    if (!f.client)
        return f.client.error();
    int const memfd = forge();
    (void)socket::send(f.conn, socket::PAGES, 0, memfd);
    ::close(memfd);
    auto r = f.c().wait(1000);
    Error const e = r ? Error::INVALID_ARGUMENT : r.error(); // INVALID_ARGUMENT = "accepted"
    EXPECT_FALSE(f.c().is_open());
    return e;
}

int page_with(std::size_t pages, std::function<void(Interface *, uint32_t *)> fill,
              bool seal = true)
{
    int fd;
    if (seal) {
        fd = *socket::sealed_memfd("forged", pages * PAGE_SIZE);
    } else {
        fd = ::memfd_create("forged", MFD_CLOEXEC);
        EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(pages * PAGE_SIZE)), 0);
    }
    void *p = ::mmap(nullptr, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    auto *ctrl = static_cast<Interface *>(p);
    ctrl->srv_live = LIVE_CONNECTED;
    ctrl->cli_live = LIVE_WAITING;
    fill(ctrl, reinterpret_cast<uint32_t *>(static_cast<uint8_t *>(p) + GRANTS_OFFSET));
    ::munmap(p, PAGE_SIZE);
    return fd;
}

} // namespace

TEST(VchanHostileServer, SaneForgedPageIsAccepted)
{
    // Control: the harness itself can produce a page the client accepts.
    Forged_server f;
    ASSERT_TRUE(f.client);
    int const memfd = page_with(3, [](Interface *i, uint32_t *g) {
        i->left_order = 12;
        i->right_order = 12;
        g[0] = 1;
        g[1] = 2;
    });
    ASSERT_TRUE(socket::send(f.conn, socket::PAGES, 0, memfd));
    ASSERT_TRUE(f.c().wait(1000));
    EXPECT_EQ(f.c().state(), State::CONNECTED);
    ::close(memfd);
}

// An event channel is edge-triggered: the kick of a peer that wrote its last data and exited can
// be consumed by the process_events() that also finds the data. A later wait() must not sleep on
// a peer that has gone (here the socket stays open, as an event channel would, and no second
// kick comes), or a reader draining a closed channel waits out its whole timeout.
TEST(VchanHostileServer, WaitAfterAConsumedExitKickReturnsAtOnce)
{
    Forged_server f;
    ASSERT_TRUE(f.client);
    Vchan &c = f.c();
    int const memfd = *socket::sealed_memfd("forged", PAGE_SIZE);
    void *p = ::mmap(nullptr, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    ASSERT_NE(p, MAP_FAILED);
    auto *ctrl = static_cast<Interface *>(p);
    ctrl->left_order = 10; // in-page rings: left at 1024, right at 2048
    ctrl->right_order = 11;
    ctrl->srv_live = LIVE_CONNECTED;
    ctrl->cli_live = LIVE_WAITING;
    ASSERT_TRUE(socket::send(f.conn, socket::PAGES, 0, memfd));
    ASSERT_TRUE(c.wait(5000));
    ASSERT_EQ(c.state(), State::CONNECTED);

    // The server's last words: five bytes, its exit, one kick.
    std::memcpy(static_cast<uint8_t *>(p) + 2048, "hello", 5);
    __atomic_store_n(&ctrl->right.prod, 5u, __ATOMIC_RELEASE);
    __atomic_store_n(&ctrl->srv_live, LIVE_EXITED, __ATOMIC_RELEASE);
    ASSERT_TRUE(socket::send(f.conn, socket::KICK, 0));
    ASSERT_TRUE(c.wait(5000)); // consumes the kick; data left, so still open
    char got[5] = {};
    auto const n = c.read(got, sizeof got);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 5u);
    EXPECT_EQ(std::memcmp(got, "hello", 5), 0);
    auto const w = c.write("x", 1); // nobody will read it
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error(), Error::CLOSED);

    auto const t0 = std::chrono::steady_clock::now();
    auto const r = c.wait(60000);
    auto const waited = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Error::CLOSED);
    EXPECT_FALSE(c.is_open());
    EXPECT_LT(waited, std::chrono::seconds(30)) << "wait() slept on a peer that had exited";

    ::munmap(p, PAGE_SIZE);
    ::close(memfd);
}

TEST(VchanHostileServer, OrderOutOfRange)
{
    EXPECT_EQ(connect_to_forged([] {
                  return page_with(1, [](Interface *i, uint32_t *) {
                      i->left_order = 9;
                      i->right_order = 11;
                  });
              }),
              Error::PROTOCOL);
    EXPECT_EQ(connect_to_forged([] {
                  return page_with(1, [](Interface *i, uint32_t *) {
                      i->left_order = 10;
                      i->right_order = 25;
                  });
              }),
              Error::PROTOCOL);
}

TEST(VchanHostileServer, OverlappingInPageRings)
{
    EXPECT_EQ(connect_to_forged([] {
                  return page_with(1, [](Interface *i, uint32_t *) {
                      i->left_order = 11;
                      i->right_order = 11;
                  });
              }),
              Error::PROTOCOL);
}

TEST(VchanHostileServer, GrantOutsideTheObjectOrOnTheControlPage)
{
    EXPECT_EQ(connect_to_forged([] {
                  return page_with(2, [](Interface *i, uint32_t *g) {
                      i->left_order = 10;
                      i->right_order = 12;
                      g[0] = 7;
                  });
              }),
              Error::PROTOCOL);
    EXPECT_EQ(connect_to_forged([] {
                  return page_with(2, [](Interface *i, uint32_t *g) {
                      i->left_order = 10;
                      i->right_order = 12;
                      g[0] = 0;
                  });
              }),
              Error::PROTOCOL);
}

TEST(VchanHostileServer, UnsealedMemoryCouldShrinkUnderUs)
{
    EXPECT_EQ(connect_to_forged([] {
                  return page_with(
                      1,
                      [](Interface *i, uint32_t *) {
                          i->left_order = 10;
                          i->right_order = 11;
                      },
                      false);
              }),
              Error::BAD_MEMORY);
}

TEST(VchanHostileServer, PresetIndexesClaimAnOverfullRing)
{
    EXPECT_EQ(connect_to_forged([] {
                  return page_with(1, [](Interface *i, uint32_t *) {
                      i->left_order = 10;
                      i->right_order = 11;
                      i->right.prod = 100000;
                  });
              }),
              Error::PROTOCOL);
}
