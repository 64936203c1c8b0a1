// SPDX-License-Identifier: MIT
// A client facing a forged control page: every field the server controls is checked.
#include "ward/vchan/vchan.hpp"

#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include "socket_transport.hpp"

using namespace dom::vchan;

namespace
{

// Plays a server by hand: listens, accepts, sends a memfd prepared by `forge`.
Error connect_to_forged(std::function<int()> forge)
{
    char tmpl[] = "/tmp/ward-vchan-XXXXXX";
    if (!::mkdtemp(tmpl))
        return Error::SYSTEM;
    Endpoint ep{tmpl, 9, 0, 1};
    int const lfd = *socket::listen_at(ep.socket_path());
    auto c = Vchan::client_init(ep);
    if (!c)
        return c.error();
    int const conn = **socket::accept_one(lfd);
    int const memfd = forge();
    (void)socket::send(conn, socket::PAGES, 0, memfd);
    ::close(memfd);
    auto r = (*c)->wait(1000);
    Error const e = r ? Error::INVALID_ARGUMENT : r.error(); // INVALID_ARGUMENT = "accepted"
    EXPECT_FALSE((*c)->is_open());
    ::close(conn);
    ::close(lfd);
    ::unlink(ep.socket_path().c_str());
    ::rmdir(tmpl);
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
    char tmpl[] = "/tmp/ward-vchan-XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    Endpoint ep{tmpl, 9, 0, 1};
    int const lfd = *socket::listen_at(ep.socket_path());
    auto c = Vchan::client_init(ep);
    ASSERT_TRUE(c);
    int const conn = **socket::accept_one(lfd);
    int const memfd = page_with(3, [](Interface *i, uint32_t *g) {
        i->left_order = 12;
        i->right_order = 12;
        g[0] = 1;
        g[1] = 2;
    });
    ASSERT_TRUE(socket::send(conn, socket::PAGES, 0, memfd));
    ASSERT_TRUE((*c)->wait(1000));
    EXPECT_EQ((*c)->state(), State::CONNECTED);
    ::close(memfd);
    c->reset();
    ::close(conn);
    ::close(lfd);
    ::unlink(ep.socket_path().c_str());
    ::rmdir(tmpl);
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
