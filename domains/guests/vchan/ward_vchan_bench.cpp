// SPDX-License-Identifier: MIT
// ward-vchan-bench: vchan throughput between two Linux domains on Ward over dom::vchan's grant
// transport, against a memcpy of the same size in the server's domain (docs/vchan.md section 8;
// `make bench-vchan-linux`).
//   ward-vchan-bench server CLIENT BYTES ORDER...   for each ring order: serve port ORDER with a
//       2^ORDER-byte ring, read BYTES from the client, time them; then memcpy BYTES, time it
//   ward-vchan-bench client SERVER BYTES ORDER...   for each order: connect, write BYTES, close
// Output: "VCHAN-BENCH: ring R bytes: vchan X MiB/s, memcpy Y MiB/s, ratio Z" per order.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "ward/vchan/vchan.hpp"
#include "ward/xendev/xenstore.hpp"

namespace
{

using namespace dom::vchan;
using Clock = std::chrono::steady_clock;

volatile unsigned sink; // keeps the memcpy loop's result alive

double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double mib_per_s(std::size_t bytes, double secs)
{
    return secs > 0 ? static_cast<double>(bytes) / secs / 1048576.0 : 0.0;
}

bool check(hv::Result<void, Error> const &r, char const *what)
{
    if (!r)
        std::printf("VCHAN-BENCH: %s failed: %s (%s)\n", what, to_string(r.error()),
                    last_error_detail().c_str());
    return bool(r);
}

// memcpy of `bytes` in chunks of the ring's size between two buffers, as the two ring copies
// (writer into the ring, reader out of it) would move them inside one domain.
double memcpy_rate(std::size_t bytes, std::size_t chunk)
{
    std::vector<uint8_t> a(chunk, 0x5a), b(chunk);
    auto const t0 = Clock::now();
    for (std::size_t done = 0; done < bytes; done += chunk) {
        std::memcpy(b.data(), a.data(), chunk);
        a[done / chunk % chunk] ^= b[chunk - 1]; // keep the copies observable
    }
    double const secs = seconds_since(t0);
    sink = a[0] + b[1];
    return mib_per_s(bytes, secs);
}

unsigned late_wakeups = 0; // waits that timed out although the peer had done something

// wait() with a 1 s bound; false once the channel is closed.
bool timed_wait(Vchan &v)
{
    auto const t0 = Clock::now();
    auto const r = v.wait(1000);
    if (seconds_since(t0) >= 0.99 && (!r || v.data_ready() > 0))
        ++late_wakeups; // the peer acted, but no event woke us
    return bool(r);
}

int serve(unsigned me, unsigned client, std::size_t bytes, unsigned order)
{
    std::size_t const ring = std::size_t{1} << order;
    Endpoint const ep{"", me, client, order, Transport::GRANT};
    auto v = Vchan::server_init(ep, ring, 1024);
    if (!v)
        return check(hv::unexpected(v.error()), "server_init") ? 0 : 1;
    std::printf("VCHAN-BENCH: serving order %u\n", order);
    while ((*v)->state() == State::WAITING)
        if (!check((*v)->wait(-1), "accept"))
            return 1;
    std::printf("VCHAN-BENCH: order %u connected\n", order);
    std::vector<uint8_t> buf(ring);
    std::size_t got = 0;
    Clock::time_point t0{};
    while (got < bytes) {
        auto n = (*v)->read(buf.data(), std::min(buf.size(), bytes - got));
        if (!n)
            return check(hv::unexpected(n.error()), "read") ? 0 : 1;
        if (*n > 0 && got == 0)
            t0 = Clock::now(); // from the first byte: connection set-up is not measured
        got += *n;
        if (*n == 0 && (*v)->data_ready() == 0 && !timed_wait(**v))
            return check(hv::unexpected(Error::CLOSED), "wait") ? 0 : 1;
    }
    double const secs = seconds_since(t0);
    double const vchan = mib_per_s(bytes, secs);
    double const copy = memcpy_rate(bytes, ring);
    std::printf("VCHAN-BENCH: ring %zu bytes: %zu bytes in %.3f s, vchan %.1f MiB/s, memcpy %.1f "
                "MiB/s, ratio %.4f\n",
                (*v)->read_capacity(), bytes, secs, vchan, copy, copy > 0 ? vchan / copy : 0.0);
    // The close is awaited with a bounded wait: a wake-up that does not come (docs/vchan.md
    // section 8) is counted, not waited for forever.
    while ((*v)->is_open())
        if (!timed_wait(**v)) {
            std::printf("VCHAN-BENCH: order %u: the client closed\n", order);
            break;
        }
    return 0;
}

int feed(unsigned me, unsigned server, std::size_t bytes, unsigned order)
{
    Endpoint const ep{"", server, me, order, Transport::GRANT};
    for (;;) {
        auto v = Vchan::client_init(ep);
        if (!v && v.error() == Error::NOT_CONNECTED) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        if (!v)
            return check(hv::unexpected(v.error()), "client_init") ? 0 : 1;
        std::vector<uint8_t> buf(std::size_t{1} << order, 0xa5);
        std::size_t sent = 0;
        while (sent < bytes) {
            auto n = (*v)->write(buf.data(), std::min(buf.size(), bytes - sent));
            if (!n)
                return check(hv::unexpected(n.error()), "write") ? 0 : 1;
            sent += *n;
            if (*n == 0 && (*v)->buffer_space() == 0 && !check((*v)->wait(-1), "wait"))
                return 1;
        }
        std::printf("VCHAN-BENCH: order %u written\n", order);
        return 0; // closing: the server reads what is left, then sees CLOSED
    }
}

} // namespace

int main(int argc, char **argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    if (argc < 5) {
        std::fprintf(stderr, "usage: ward-vchan-bench server CLIENT BYTES ORDER... | "
                             "client SERVER BYTES ORDER...\n");
        return 2;
    }
    std::string_view const role = argv[1];
    unsigned const peer = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
    std::size_t const bytes = std::strtoull(argv[3], nullptr, 10);
    auto xs = dom::xendev::Xenstore::open();
    auto me = xs ? xs->own_domid() : hv::Result<unsigned, std::string>{hv::unexpected(xs.error())};
    if (!me) {
        std::printf("VCHAN-BENCH: cannot learn own domain id: %s\n", me.error().c_str());
        return 1;
    }
    for (int i = 4; i < argc; ++i) {
        unsigned const order = static_cast<unsigned>(std::strtoul(argv[i], nullptr, 10));
        if (order < 12 || order > 20) {
            std::printf("VCHAN-BENCH: order %u out of 12..20\n", order);
            return 2;
        }
        int const r =
            role == "server" ? serve(*me, peer, bytes, order) : feed(*me, peer, bytes, order);
        if (r != 0)
            return r;
    }
    if (role == "server")
        std::printf("VCHAN-BENCH: server done (%u wake-ups came only after a 1 s timeout)\n",
                    late_wakeups);
    else
        std::printf("VCHAN-BENCH: client done\n");
    return 0;
}
