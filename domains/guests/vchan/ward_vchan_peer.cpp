// SPDX-License-Identifier: MIT
// ward-vchan-peer: one end of a vchan between two Linux domains on Ward, over the grant
// transport of dom::vchan (docs/vchan.md section 5), for tests/emu/linux_vchan.
//   ward-vchan-peer server PORTS BYTES CLIENT [INTRUDER]
//       serves CLIENT on each of PORTS (comma-separated, one after the other): sends BYTES of a
//       PRNG stream while checking BYTES of the client's stream, then waits for the client to
//       disconnect. With INTRUDER, first publishes a channel on port 1 for that domain too, which
//       the ACM must refuse, and keeps it published for good (then never exits).
//   ward-vchan-peer client SERVER PORT BYTES [crash]
//       connects to SERVER's channel (waiting until it is published), does the same exchange
//       with the streams swapped and closes; with `crash` it kills itself (SIGKILL) instead,
//       still mapped, and the server must learn of it from Linux's unmap notification.
// Every step prints one line "VCHAN-SERVER: ..." / "VCHAN-CLIENT: ..."; exit status 0 on
// success, 1 on a failure (with the reason).
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include "ward/vchan/grant_keys.hpp"
#include "ward/vchan/vchan.hpp"
#include "ward/xendev/xenstore.hpp"

namespace
{

using namespace dom::vchan;

constexpr uint64_t SERVER_SEED = 0x5345525645520001ull;
constexpr uint64_t CLIENT_SEED = 0x434c49454e540002ull;
constexpr std::size_t RING_BYTES = 64 * 1024;

char const *tag = "VCHAN";

// splitmix64, eight bytes per step: both ends derive the expected stream from the seed.
class Stream
{
  public:
    explicit Stream(uint64_t seed) : state_{seed} {}
    uint8_t next()
    {
        if (left_ == 0) {
            uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            word_ = z ^ (z >> 31);
            left_ = 8;
        }
        --left_;
        return static_cast<uint8_t>(word_ >> (8 * left_));
    }

  private:
    uint64_t state_, word_ = 0;
    unsigned left_ = 0;
};

// FNV-1a 64 of everything sent / received, printed by both sides for the test to compare.
struct Fnv
{
    uint64_t h = 0xcbf29ce484222325ull;
    void add(uint8_t const *p, std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i)
            h = (h ^ p[i]) * 0x100000001b3ull;
    }
};

// A wait bounded at 5 s. Returning because of the bound although the channel did change (data,
// space, connection, close) means the peer's kick never woke us: reported as a late wake-up
// (docs/vchan.md section 8) instead of hanging the test; the test allows a few.
hv::Result<void, Error> bounded_wait(Vchan &v)
{
    auto const before_state = v.state();
    std::size_t const before_data = v.data_ready(), before_space = v.buffer_space();
    auto const t0 = std::chrono::steady_clock::now();
    auto r = v.wait(5000);
    double const secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (secs >= 4.9 && (!r || v.state() != before_state || v.data_ready() != before_data ||
                        v.buffer_space() != before_space))
        std::printf("%s: LATE WAKE-UP: the channel changed but no event came within 5 s\n", tag);
    return r;
}

void fail_line(char const *what, Error e)
{
    std::printf("%s: %s failed: %s (%s)\n", tag, what, to_string(e), last_error_detail().c_str());
}

// Sends `bytes` of `tx` and checks `bytes` of `rx`, both at once (a single thread, as a
// select()-loop libvchan user does).
bool exchange(Vchan &v, uint64_t tx_seed, uint64_t rx_seed, std::size_t bytes)
{
    Stream tx{tx_seed}, rx{rx_seed};
    Fnv tx_hash, rx_hash;
    std::vector<uint8_t> out(16384), in(16384);
    std::size_t out_len = 0, out_off = 0, sent = 0, got = 0;
    auto const t0 = std::chrono::steady_clock::now();
    while (sent < bytes || got < bytes) {
        bool progress = false;
        if (sent < bytes) {
            if (out_off == out_len) {
                out_len = std::min(out.size(), bytes - sent);
                for (std::size_t i = 0; i < out_len; ++i)
                    out[i] = tx.next();
                tx_hash.add(out.data(), out_len);
                out_off = 0;
            }
            auto n = v.write(out.data() + out_off, out_len - out_off);
            if (!n) {
                fail_line("write", n.error());
                return false;
            }
            out_off += *n;
            sent += *n;
            progress |= *n > 0;
        }
        if (got < bytes) {
            auto n = v.read(in.data(), std::min(in.size(), bytes - got));
            if (!n) {
                fail_line("read", n.error());
                return false;
            }
            for (std::size_t i = 0; i < *n; ++i) {
                uint8_t const want = rx.next();
                if (in[i] != want) {
                    std::printf("%s: MISMATCH at byte %zu: got 0x%02x, expected 0x%02x\n", tag,
                                got + i, in[i], want);
                    return false;
                }
            }
            rx_hash.add(in.data(), *n);
            got += *n;
            progress |= *n > 0;
        }
        // read/write asked the peer for a kick; re-check before sleeping (no lost wake-up).
        if (!progress && (got == bytes || v.data_ready() == 0) &&
            (sent == bytes || v.buffer_space() == 0)) {
            if (auto r = bounded_wait(v); !r) {
                fail_line("wait", r.error());
                return false;
            }
        }
    }
    double const secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s: sent %zu bytes fnv %016" PRIx64 ", received %zu bytes fnv %016" PRIx64
                ", stream ok (%.2f s, %.1f MiB/s each way)\n",
                tag, sent, tx_hash.h, got, rx_hash.h, secs,
                secs > 0 ? static_cast<double>(bytes) / secs / 1048576.0 : 0.0);
    return true;
}

int usage()
{
    std::fprintf(stderr, "usage: ward-vchan-peer server PORTS BYTES CLIENT [INTRUDER]\n"
                         "       ward-vchan-peer client SERVER PORT BYTES [crash]\n");
    return 2;
}

bool number(char const *s, unsigned long &out)
{
    char *end = nullptr;
    out = std::strtoul(s, &end, 10);
    return *s && !*end;
}

unsigned own_domid()
{
    auto xs = dom::xendev::Xenstore::open();
    auto id = xs ? xs->own_domid() : hv::Result<unsigned, std::string>{hv::unexpected(xs.error())};
    if (!id) {
        std::printf("%s: cannot learn own domain id: %s\n", tag, id.error().c_str());
        std::exit(1);
    }
    return *id;
}

int serve_one(unsigned me, unsigned port, std::size_t bytes, unsigned client)
{
    Endpoint const ep{"", me, client, port, Transport::GRANT};
    auto v = Vchan::server_init(ep, RING_BYTES, RING_BYTES);
    if (!v) {
        fail_line("server_init", v.error());
        return 1;
    }
    std::printf("%s: domain %u serving domain %u on port %u at %s\n", tag, me, client, port,
                store_path(ep).c_str());
    std::fflush(stdout);
    while ((*v)->state() == State::WAITING)
        if (auto r = bounded_wait(**v); !r) {
            fail_line("accept", r.error());
            return 1;
        }
    std::printf("%s: client connected on port %u (rings %zu/%zu bytes)\n", tag, port,
                (*v)->read_capacity(), (*v)->write_capacity());
    if (!exchange(**v, SERVER_SEED, CLIENT_SEED, bytes))
        return 1;
    std::fflush(stdout);
    for (;;) {
        auto r = bounded_wait(**v);
        if (!r && r.error() == Error::CLOSED) {
            std::printf("%s: client disconnected from port %u\n", tag, port);
            break;
        }
        if (!r) {
            fail_line("waiting for the disconnect", r.error());
            return 1;
        }
    }
    return 0;
}

int run_server(char const *ports, std::size_t bytes, unsigned client, long intruder)
{
    tag = "VCHAN-SERVER";
    unsigned const me = own_domid();
    // The intruder's channel stays published for the server's whole life: the intruder's map is
    // refused by Ward, which the server never hears of, so it cannot know when to stop.
    Vchan::Ptr bait;
    if (intruder >= 0) {
        Endpoint const ep{"", me, static_cast<unsigned>(intruder), 1, Transport::GRANT};
        auto b = Vchan::server_init(ep, RING_BYTES, RING_BYTES);
        if (!b) {
            fail_line("server_init for the intruder", b.error());
            return 1;
        }
        bait = std::move(*b);
        std::printf("%s: published a channel for domain %ld at %s\n", tag, intruder,
                    store_path(ep).c_str());
    }
    std::string const list = ports;
    std::size_t at = 0;
    while (at <= list.size()) {
        std::size_t const comma = std::min(list.find(',', at), list.size());
        unsigned long port = 0;
        if (!number(list.substr(at, comma - at).c_str(), port))
            return usage();
        if (serve_one(me, static_cast<unsigned>(port), bytes, client))
            return 1;
        at = comma + 1;
    }
    if (!bait)
        return 0;
    std::printf("%s: all ports served; the intruder's channel stays published\n", tag);
    for (;;) {
        if (auto r = bait->wait(-1); !r || bait->state() != State::WAITING) {
            std::printf("%s: the intruder's channel changed: %s\n", tag,
                        r ? "CONNECTED" : to_string(r.error()));
            return 1;
        }
    }
}

int run_client(unsigned server, unsigned port, std::size_t bytes, bool crash)
{
    tag = "VCHAN-CLIENT";
    unsigned const me = own_domid();
    Endpoint const ep{"", server, me, port, Transport::GRANT};
    bool said = false;
    for (;;) {
        auto v = Vchan::client_init(ep);
        if (!v && v.error() == Error::NOT_CONNECTED) {
            if (!said)
                std::printf("%s: waiting for domain %u to publish %s\n", tag, server,
                            store_path(ep).c_str());
            said = true;
            std::fflush(stdout);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        if (!v) {
            std::printf("%s: connect to domain %u port %u refused: %s (%s)\n", tag, server, port,
                        to_string(v.error()), last_error_detail().c_str());
            return 1;
        }
        std::printf("%s: domain %u connected to domain %u port %u (rings %zu/%zu bytes)\n", tag, me,
                    server, port, (*v)->read_capacity(), (*v)->write_capacity());
        if (!exchange(**v, CLIENT_SEED, SERVER_SEED, bytes))
            return 1;
        if (crash) {
            std::printf("%s: crashing on port %u with the grants mapped\n", tag, port);
            std::fflush(stdout);
            ::kill(::getpid(), SIGKILL);
        }
        std::printf("%s: closing port %u\n", tag, port);
        return 0; // the destructor closes: cli_live = 0 and a kick
    }
}

} // namespace

int main(int argc, char **argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    if (argc < 2)
        return usage();
    std::string_view const role = argv[1];
    unsigned long a = 0, b = 0, c = 0, d = 0;
    if (role == "server" && (argc == 5 || argc == 6) && number(argv[3], b) && number(argv[4], c) &&
        (argc == 5 || number(argv[5], d)))
        return run_server(argv[2], b, static_cast<unsigned>(c),
                          argc == 6 ? static_cast<long>(d) : -1);
    bool const crash = argc == 6 && std::string_view{argv[5]} == "crash";
    if (role == "client" && (argc == 5 || crash) && number(argv[2], a) && number(argv[3], b) &&
        number(argv[4], c))
        return run_client(static_cast<unsigned>(a), static_cast<unsigned>(b), c, crash);
    return usage();
}
