// SPDX-License-Identifier: MIT
// wardstore: Ward's XenStore-compatible configuration store.
//   wardstore [--socket PATH] [--state-dir DIR] [--quota [DOMID:]NAME=N]... [--keep-orphans]
//             [--durability full|process]
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <sys/stat.h>

#include "model/path.hpp"
#include "server/server.hpp"

namespace
{

dom::store::Server *g_server = nullptr;

void on_signal(int)
{
    if (g_server)
        g_server->stop();
}

int usage()
{
    std::fprintf(stderr,
                 "usage: wardstore [--socket PATH] [--state-dir DIR] [--quota [DOMID:]NAME=N]... "
                 "[--keep-orphans] [--durability full|process]\n"
                 "quotas: %s\n"
                 "durability: full (default) acknowledges a change after fdatasync; process\n"
                 "  after write() to the journal (survives kill -9, not power loss), with\n"
                 "  fdatasync within a few milliseconds\n",
                 std::string{dom::store::QUOTA_NAMES}.c_str());
    return 2;
}

void make_parent_dirs(std::string const &path)
{
    for (size_t pos = 1; pos < path.size(); ++pos)
        if (path[pos] == '/')
            ::mkdir(path.substr(0, pos).c_str(), 0755);
}

} // namespace

int main(int argc, char **argv)
{
    dom::store::Server_options opts;
    for (int i = 1; i < argc; ++i) {
        std::string_view const a = argv[i];
        auto const value = [&]() -> char const * { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--socket") {
            char const *v = value();
            if (!v)
                return usage();
            opts.socket_path = v;
        } else if (a == "--state-dir") {
            char const *v = value();
            if (!v)
                return usage();
            opts.state_dir = v;
        } else if (a == "--quota") {
            char const *v = value();
            // NAME=N (global: the default of every domain) or DOMID:NAME=N (one domain).
            std::string_view q = v ? v : "";
            std::optional<uint32_t> domid;
            if (auto const colon = q.find(':'); colon != q.npos) {
                auto const d = dom::store::parse_u32(q.substr(0, colon));
                if (!d)
                    return usage();
                domid = *d;
                q.remove_prefix(colon + 1);
            }
            auto const eq = q.find('=');
            uint32_t *field = eq == q.npos ? nullptr : opts.core.quotas.field(q.substr(0, eq));
            auto const n =
                field
                    ? dom::store::parse_u32(q.substr(eq + 1))
                    : hv::Result<uint32_t, dom::store::Err>{hv::unexpected(dom::store::Err::INVAL)};
            if (!n || *n == UINT32_MAX)
                return usage();
            if (domid)
                opts.core.domain_quotas.push_back({*domid, std::string{q.substr(0, eq)}, *n});
            else
                *field = *n;
        } else if (a == "--durability" || a.starts_with("--durability=")) {
            char const *v = a == "--durability" ? value() : argv[i] + sizeof "--durability=" - 1;
            std::string_view const d = v ? v : "";
            if (d == "full")
                opts.core.durability = dom::store::Durability::FULL;
            else if (d == "process")
                opts.core.durability = dom::store::Durability::PROCESS;
            else
                return usage();
        } else if (a == "--keep-orphans") {
            opts.core.keep_orphans = true;
        } else {
            return usage();
        }
    }
    try {
        make_parent_dirs(opts.socket_path);
        dom::store::Server server{opts};
        g_server = &server;
        std::signal(SIGPIPE, SIG_IGN);
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        if (auto r = server.start(); !r) {
            std::fprintf(stderr, "wardstore: %s\n", r.error().c_str());
            return 1;
        }
        std::fprintf(stderr, "wardstore: serving %s, state in %s (%zu nodes, durability %s)\n",
                     opts.socket_path.c_str(), opts.state_dir.c_str(), server.core().tree().size(),
                     opts.core.durability == dom::store::Durability::FULL ? "full" : "process");
        auto const r = server.run();
        g_server = nullptr;
        if (!r) {
            std::fprintf(stderr, "wardstore: %s\n", r.error().c_str());
            return 1;
        }
    } catch (std::exception const &e) {
        std::fprintf(stderr, "wardstore: fatal: %s\n", e.what());
        return 1;
    }
    return 0;
}
