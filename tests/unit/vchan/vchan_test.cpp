// SPDX-License-Identifier: MIT
// vchan over the host transport: the behaviours of qubes-core-vchan-socket's test_vchan.py
// (connect and read/write in both orders, data_ready, buffer_space, recv_all, send_big,
// wrap_around) plus closing and shared memory objects.
#include "ward/vchan/vchan.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <numeric>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "socket_transport.hpp"

using namespace dom::vchan;

namespace
{

class VchanTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/ward-vchan-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        ep_.dir = tmpl;
        ep_.server_domain = 5;
        ep_.client_domain = 0;
        ep_.port = 6000;
    }
    void TearDown() override { ::rmdir(ep_.dir.c_str()); }

    // Server + client, both pumped until connected.
    void connect(std::size_t read_min = 1024, std::size_t write_min = 2048)
    {
        auto s = Vchan::server_init(ep_, read_min, write_min);
        ASSERT_TRUE(s);
        server_ = std::move(*s);
        EXPECT_EQ(server_->state(), State::WAITING);
        auto c = Vchan::client_init(ep_);
        ASSERT_TRUE(c);
        client_ = std::move(*c);
        for (int i = 0; i < 100 && client_->state() != State::CONNECTED; ++i) {
            ASSERT_TRUE(server_->process_events());
            ASSERT_TRUE(client_->wait(10));
        }
        ASSERT_EQ(client_->state(), State::CONNECTED);
        ASSERT_EQ(server_->state(), State::CONNECTED);
    }

    Endpoint ep_;
    Vchan::Ptr server_;
    Vchan::Ptr client_;
};

} // namespace

TEST_F(VchanTest, SocketPathFollowsVchanSocketNaming)
{
    EXPECT_EQ(ep_.socket_path(), ep_.dir + "/vchan.5.0.6000.sock");
}

TEST_F(VchanTest, ClientBeforeServerIsNotConnected)
{
    auto c = Vchan::client_init(ep_);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), Error::NOT_CONNECTED);
}

TEST_F(VchanTest, WriteThenConnectDeliversData)
{
    auto s = Vchan::server_init(ep_, 1024, 2048);
    ASSERT_TRUE(s);
    server_ = std::move(*s);
    EXPECT_FALSE(server_->write("x", 1)); // no peer yet
    auto c = Vchan::client_init(ep_);
    ASSERT_TRUE(c);
    client_ = std::move(*c);
    ASSERT_TRUE(server_->process_events());
    ASSERT_EQ(*server_->write("hello", 5), 5u); // written before the client maps the pages
    ASSERT_TRUE(client_->wait(1000));
    ASSERT_EQ(client_->data_ready(), 5u);
    char buf[8]{};
    ASSERT_EQ(*client_->read(buf, sizeof buf), 5u);
    EXPECT_STREQ(buf, "hello");
}

TEST_F(VchanTest, BothDirectionsAndSizes)
{
    connect(1024, 2048);
    EXPECT_EQ(server_->read_capacity(), 1024u);
    EXPECT_EQ(server_->write_capacity(), 2048u);
    EXPECT_EQ(client_->write_capacity(), 1024u);
    EXPECT_EQ(client_->buffer_space(), 1024u);
    ASSERT_TRUE(client_->send("ping", 4));
    ASSERT_TRUE(server_->wait(1000));
    EXPECT_EQ(server_->data_ready(), 4u);
    char b[4];
    ASSERT_TRUE(server_->recv(b, 4));
    EXPECT_EQ(std::string(b, 4), "ping");
    ASSERT_TRUE(server_->send("pong", 4));
    ASSERT_TRUE(client_->wait(1000));
    ASSERT_TRUE(client_->recv(b, 4));
    EXPECT_EQ(std::string(b, 4), "pong");
}

TEST_F(VchanTest, RecvIsAllOrNothing)
{
    connect();
    ASSERT_TRUE(client_->send("abc", 3));
    char b[8];
    auto r = server_->recv(b, 4);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Error::WOULD_BLOCK);
    EXPECT_EQ(server_->data_ready(), 3u); // nothing consumed
    auto big = server_->recv(b, 4096);
    EXPECT_FALSE(big); // larger than the ring can ever hold
}

TEST_F(VchanTest, SendBigAcrossManyFillsWithPagedRings)
{
    connect(65536, 8192);
    EXPECT_EQ(client_->write_capacity(), 65536u);
    std::vector<uint8_t> in(1 << 20), out;
    std::iota(in.begin(), in.end(), uint8_t{0});
    for (std::size_t i = 0; i < in.size(); i += 999)
        in[i] ^= static_cast<uint8_t>(i >> 8);
    // A writer thread on the client side, the reader here: a real producer/consumer pair.
    std::thread writer([&] {
        std::size_t off = 0;
        while (off < in.size()) {
            auto n = client_->write(in.data() + off, in.size() - off);
            if (!n)
                return;
            off += *n;
            if (*n == 0)
                (void)client_->wait(100);
        }
    });
    std::vector<uint8_t> buf(10000);
    while (out.size() < in.size()) {
        ASSERT_TRUE(server_->wait(1000));
        while (server_->data_ready() > 0) {
            auto n = server_->read(buf.data(), buf.size());
            ASSERT_TRUE(n);
            out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(*n));
        }
    }
    writer.join();
    EXPECT_EQ(in, out);
}

TEST_F(VchanTest, PeerCloseIsSeen)
{
    connect();
    ASSERT_TRUE(server_->write("bye", 3));
    server_.reset();
    // Buffered data is still readable; then the channel reports closed.
    auto r = client_->wait(1000);
    char b[3];
    if (client_->data_ready() == 3) {
        ASSERT_TRUE(client_->recv(b, 3));
    }
    for (int i = 0; i < 10 && client_->is_open(); ++i)
        (void)client_->wait(100);
    EXPECT_FALSE(client_->is_open());
    EXPECT_FALSE(client_->write("x", 1));
    (void)r;
}

TEST_F(VchanTest, SecondClientIsRefused)
{
    connect();
    auto c2 = Vchan::client_init(ep_);
    EXPECT_FALSE(c2);
}

TEST_F(VchanTest, SharedMemoryTravelsBesideTheRings)
{
    connect();
    auto fd = socket::sealed_memfd("buf", 8192);
    ASSERT_TRUE(fd);
    auto h = client_->share_memory(*fd);
    ASSERT_TRUE(h);
    ::close(*fd);
    EXPECT_EQ(*h, 1u);
    ASSERT_TRUE(server_->wait(1000));
    EXPECT_FALSE(server_->take_memory(*h + 1));
    auto got = server_->take_memory(*h);
    ASSERT_TRUE(got);
    EXPECT_EQ(*socket::check_sealed(*got, 8192), 8192u);
    EXPECT_FALSE(server_->take_memory(*h)); // taken once
    ::close(*got);
}

TEST_F(VchanTest, FloodOfSharedMemoryDisconnects)
{
    connect();
    auto fd = socket::sealed_memfd("buf", 4096);
    ASSERT_TRUE(fd);
    for (int i = 0; i < 300; ++i)
        if (!client_->share_memory(*fd))
            break;
    ::close(*fd);
    hv::Result<void, Error> r{};
    for (int i = 0; i < 10 && r; ++i)
        r = server_->wait(100);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Error::LIMIT);
    EXPECT_FALSE(server_->is_open());
}
