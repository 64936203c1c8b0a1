// SPDX-License-Identifier: MIT
#include "server/command_line.hpp"

#include <csignal>
#include <optional>
#include <string_view>
#include <sys/stat.h>

#include "model/path.hpp"
#include "model/quota.hpp"

namespace dom::store
{
namespace
{

Server *g_server = nullptr;

void on_signal(int)
{
    if (g_server)
        g_server->stop();
}

// NAME=N (global: the default of every domain) or DOMID:NAME=N (one domain).
bool parse_quota(std::string_view q, Server_options &opts)
{
    std::optional<uint32_t> domid;
    if (auto const colon = q.find(':'); colon != q.npos) {
        auto const d = parse_u32(q.substr(0, colon));
        if (!d)
            return false;
        domid = *d;
        q.remove_prefix(colon + 1);
    }
    auto const eq = q.find('=');
    uint32_t *const field = eq == q.npos ? nullptr : opts.core.quotas.field(q.substr(0, eq));
    if (field == nullptr)
        return false;
    auto const n = parse_u32(q.substr(eq + 1));
    if (!n || *n == UINT32_MAX)
        return false;
    if (domid)
        opts.core.domain_quotas.push_back({*domid, std::string{q.substr(0, eq)}, *n});
    else
        *field = *n;
    return true;
}

} // namespace

bool parse_server_options(int argc, char **argv, Server_options &opts)
{
    for (int i = 1; i < argc; ++i) {
        std::string_view const a = argv[i];
        auto const value = [&]() -> char const * { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--socket" || a == "--state-dir") {
            char const *const v = value();
            if (!v)
                return false;
            (a == "--socket" ? opts.socket_path : opts.state_dir) = v;
        } else if (a == "--quota") {
            char const *const v = value();
            if (!v || !parse_quota(v, opts))
                return false;
        } else if (a == "--durability" || a.starts_with("--durability=")) {
            char const *const v =
                a == "--durability" ? value() : argv[i] + sizeof "--durability=" - 1;
            std::string_view const d = v ? v : "";
            if (d == "full")
                opts.core.durability = Durability::FULL;
            else if (d == "process")
                opts.core.durability = Durability::PROCESS;
            else
                return false;
        } else if (a == "--keep-orphans") {
            opts.core.keep_orphans = true;
        } else {
            return false;
        }
    }
    return true;
}

std::string server_usage(char const *program)
{
    return std::string{"usage: "} + program +
           " [--socket PATH] [--state-dir DIR] [--quota [DOMID:]NAME=N]... [--keep-orphans] "
           "[--durability full|process]\n"
           "quotas: " +
           std::string{QUOTA_NAMES} +
           "\n"
           "durability: full (default) acknowledges a change after fdatasync; process\n"
           "  after write() to the journal (survives kill -9, not power loss), with\n"
           "  fdatasync within a few milliseconds\n";
}

void make_parent_dirs(std::string const &path)
{
    for (size_t pos = 1; pos < path.size(); ++pos)
        if (path[pos] == '/')
            ::mkdir(path.substr(0, pos).c_str(), 0755);
}

void stop_on_signals(Server *server)
{
    g_server = server;
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
}

} // namespace dom::store
