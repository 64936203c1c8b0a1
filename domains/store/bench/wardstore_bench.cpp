// SPDX-License-Identifier: MIT
// wardstore-bench: the same XenStore workload against several stores, in one run.
//   wardstore-bench [--seconds S] NAME=SOCKET[:PID] ...
// For each store: reads, writes, directory listings and transactions per second with 1, 8 and
// 64 concurrent clients (each its own connection), with p50/p99 latency; then the resident
// memory (VmRSS of PID, read from /proc the same way for every store) before and after loading
// 100,000 nodes. Each store is compared with the last one named (ratios > 1 mean that store is
// faster / smaller than the last).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "ward/store/client.hpp"
#include "ward/store/wire.hpp"

namespace
{

using ward::store::Client;
using Clock = std::chrono::steady_clock;

struct Target
{
    std::string name;
    std::string socket;
    int pid = 0;
};

struct Row
{
    double ops = 0;
    double p50_us = 0;
    double p99_us = 0;
    long errors = 0;
};

enum class Work
{
    READ,
    WRITE,
    DIRECTORY,
    TRANSACTION
};

char const *work_name(Work w)
{
    switch (w) {
    case Work::READ: return "read";
    case Work::WRITE: return "write";
    case Work::DIRECTORY: return "directory";
    case Work::TRANSACTION: return "transaction";
    }
    return "?";
}

bool one_op(Client &c, Work w, int client, long i)
{
    std::string const mine = "/bench/c" + std::to_string(client);
    switch (w) {
    case Work::READ: return c.read("/bench/r/k" + std::to_string(i % 100)).has_value();
    case Work::WRITE:
        return c.write(mine + "/k" + std::to_string(i % 100), "v" + std::to_string(i)).has_value();
    case Work::DIRECTORY: return c.directory("/bench/dir").has_value();
    case Work::TRANSACTION: {
        auto const tx = c.transaction_start();
        if (!tx)
            return false;
        auto const v = c.read(mine + "/t", *tx);
        if (!v || !c.write(mine + "/t", std::to_string(i), *tx))
            return false;
        return c.transaction_end(*tx, true).has_value();
    }
    }
    return false;
}

Row measure(Target const &t, Work w, int clients, double seconds)
{
    std::atomic<bool> go{false}, stop{false};
    std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
    std::vector<long> errors(static_cast<size_t>(clients), 0);
    std::vector<std::thread> ts;
    std::atomic<int> ready{0};
    for (int k = 0; k < clients; ++k) {
        ts.emplace_back([&, k] {
            Client c{t.socket, 0};
            if (!c.connect()) {
                errors[static_cast<size_t>(k)] = 1;
                ++ready;
                return;
            }
            (void)c.write("/bench/c" + std::to_string(k) + "/t", "0");
            ++ready;
            while (!go)
                std::this_thread::yield();
            auto &l = lat[static_cast<size_t>(k)];
            l.reserve(200000);
            for (long i = 0; !stop; ++i) {
                auto const t0 = Clock::now();
                if (!one_op(c, w, k, i))
                    ++errors[static_cast<size_t>(k)];
                l.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            }
        });
    }
    while (ready < clients)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto const start = Clock::now();
    go = true;
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto &th : ts)
        th.join();
    double const elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    Row r;
    for (size_t k = 0; k < lat.size(); ++k) {
        all.insert(all.end(), lat[k].begin(), lat[k].end());
        r.errors += errors[k];
    }
    std::sort(all.begin(), all.end());
    r.ops = static_cast<double>(all.size()) / elapsed;
    if (!all.empty()) {
        r.p50_us = all[all.size() / 2];
        r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    }
    return r;
}

long rss_kib(int pid)
{
    std::ifstream f{"/proc/" + std::to_string(pid) + "/status"};
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    return -1;
}

// Loads `count` nodes with pipelined writes over one raw connection (1000 in flight).
long load_nodes(Target const &t, int count)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, t.socket.c_str(), sizeof addr.sun_path - 1);
    int const fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    long errors = 0;
    std::string in;
    for (int base = 0; base < count; base += 1000) {
        std::string out;
        int const n = std::min(1000, count - base);
        for (int i = base; i < base + n; ++i) {
            std::string p =
                "/bench/mem/d" + std::to_string(i / 1000) + "/k" + std::to_string(i % 1000);
            p += '\0';
            p += "value-" + std::to_string(i);
            dom::store::Header const h{11, static_cast<uint32_t>(i), 0,
                                       static_cast<uint32_t>(p.size())};
            out.append(reinterpret_cast<char const *>(&h), sizeof h);
            out += p;
        }
        for (size_t off = 0; off < out.size();) {
            ssize_t const w = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
            if (w <= 0) {
                ::close(fd);
                return -1;
            }
            off += static_cast<size_t>(w);
        }
        for (int got = 0; got < n;) {
            if (in.size() >= 16) {
                dom::store::Header h;
                std::memcpy(&h, in.data(), 16);
                if (in.size() >= 16 + h.len) {
                    errors += h.type == 16;
                    in.erase(0, 16 + h.len);
                    ++got;
                    continue;
                }
            }
            char buf[65536];
            ssize_t const r = ::recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                ::close(fd);
                return -1;
            }
            in.append(buf, static_cast<size_t>(r));
        }
    }
    ::close(fd);
    return errors;
}

} // namespace

int main(int argc, char **argv)
{
    double seconds = 1.5;
    std::vector<Target> targets;
    for (int i = 1; i < argc; ++i) {
        std::string const a = argv[i];
        if (a == "--seconds" && i + 1 < argc) {
            seconds = std::atof(argv[++i]);
            continue;
        }
        auto const eq = a.find('=');
        if (eq == std::string::npos) {
            std::fprintf(stderr, "usage: wardstore-bench [--seconds S] NAME=SOCKET[:PID]...\n");
            return 2;
        }
        Target t{a.substr(0, eq), a.substr(eq + 1), 0};
        if (auto const colon = t.socket.rfind(':'); colon != std::string::npos) {
            t.pid = std::atoi(t.socket.c_str() + colon + 1);
            t.socket.resize(colon);
        }
        targets.push_back(t);
    }
    if (targets.empty()) {
        std::fprintf(stderr, "usage: wardstore-bench [--seconds S] NAME=SOCKET[:PID]...\n");
        return 2;
    }
    for (auto const &t : targets) {
        Client c{t.socket, 0};
        if (!c.connect()) {
            std::fprintf(stderr, "wardstore-bench: cannot connect to %s at %s\n", t.name.c_str(),
                         t.socket.c_str());
            return 1;
        }
        for (int i = 0; i < 100; ++i)
            (void)c.write("/bench/r/k" + std::to_string(i), "value-" + std::to_string(i));
        for (int i = 0; i < 50; ++i)
            (void)c.mkdir("/bench/dir/entry-" + std::to_string(i));
    }

    std::map<std::pair<std::string, std::string>, Row> rows;
    std::printf("%-28s %-12s %7s %12s %10s %10s %7s\n", "store", "operation", "clients", "ops/s",
                "p50 us", "p99 us", "errors");
    for (Work w : {Work::READ, Work::WRITE, Work::DIRECTORY, Work::TRANSACTION}) {
        for (int clients : {1, 8, 64}) {
            std::string const key = std::string{work_name(w)} + "/" + std::to_string(clients);
            for (auto const &t : targets) {
                Row const r = measure(t, w, clients, seconds);
                rows[{t.name, key}] = r;
                std::printf("%-28s %-12s %7d %12.0f %10.1f %10.1f %7ld\n", t.name.c_str(),
                            work_name(w), clients, r.ops, r.p50_us, r.p99_us, r.errors);
                std::fflush(stdout);
            }
        }
    }

    std::printf("\nmemory for 100,000 nodes (VmRSS)\n");
    std::map<std::string, long> grew;
    for (auto const &t : targets) {
        long const before = t.pid ? rss_kib(t.pid) : -1;
        auto const t0 = Clock::now();
        long const errors = load_nodes(t, 100000);
        double const secs = std::chrono::duration<double>(Clock::now() - t0).count();
        long const after = t.pid ? rss_kib(t.pid) : -1;
        grew[t.name] = after;
        std::printf("%-28s before %8ld KiB  after %8ld KiB  (+%ld KiB)  load %.2f s, %ld errors\n",
                    t.name.c_str(), before, after, after - before, secs, errors);
    }

    // Every store against the last one named (the reference, oxenstored in bench-store).
    for (size_t k = 0; k + 1 < targets.size(); ++k) {
        auto const &a = targets[k].name;
        auto const &b = targets.back().name;
        std::printf("\nratios %s vs %s (throughput a/b; latency b/a; >1 = %s better)\n", a.c_str(),
                    b.c_str(), a.c_str());
        for (Work w : {Work::READ, Work::WRITE, Work::DIRECTORY, Work::TRANSACTION}) {
            for (int clients : {1, 8, 64}) {
                std::string const key = std::string{work_name(w)} + "/" + std::to_string(clients);
                Row const &ra = rows[{a, key}];
                Row const &rb = rows[{b, key}];
                std::printf("  %-12s %3d clients: ops %6.2fx  p50 %6.2fx  p99 %6.2fx\n",
                            work_name(w), clients, rb.ops > 0 ? ra.ops / rb.ops : 0,
                            ra.p50_us > 0 ? rb.p50_us / ra.p50_us : 0,
                            ra.p99_us > 0 ? rb.p99_us / ra.p99_us : 0);
            }
        }
        if (grew[a] > 0 && grew[b] > 0)
            std::printf("  memory (RSS with 100k nodes): %.2fx smaller\n",
                        static_cast<double>(grew[b]) / static_cast<double>(grew[a]));
    }
    return 0;
}
