// SPDX-License-Identifier: MIT
// wardstore-domain: wardstore as the store domain of Ward (docs/store-domain.md). Serves the
// rings of the domains Ward assigns to this domain (grant ref 1 through /dev/xen/gntdev, their
// store port through /dev/xen/evtchn), finds them with WARD_DOMCTL_STORE_INFO and VIRQ_DOM_EXC,
// and keeps the Unix socket for local tools.
//   wardstore-domain [--socket PATH] [--state-dir DIR]
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string_view>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "server/server.hpp"
#include "server/ward_discovery.hpp"
#include "server/xen_ring_provider.hpp"

namespace
{

dom::store::Server *g_server = nullptr;

void on_signal(int)
{
    if (g_server)
        g_server->stop();
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
    opts.socket_path = "/run/ward/xenstored/socket";
    opts.state_dir = "/run/ward/store";
    for (int i = 1; i < argc; ++i) {
        std::string_view const a = argv[i];
        if ((a == "--socket" || a == "--state-dir") && i + 1 < argc) {
            (a == "--socket" ? opts.socket_path : opts.state_dir) = argv[++i];
        } else {
            std::fprintf(stderr, "usage: wardstore-domain [--socket PATH] [--state-dir DIR]\n");
            return 2;
        }
    }
    try {
        auto provider = dom::store::Xen_ring_provider::create();
        if (!provider) {
            std::fprintf(stderr, "wardstore: %s\n", provider.error().c_str());
            return 1;
        }
        // vTPM devices to make come from this domain's kernel command line (the boot
        // configuration, as trusted as the builder): ward.vtpm=FRONTEND:BACKEND.
        std::ifstream cmdline_file("/proc/cmdline");
        std::string const cmdline{std::istreambuf_iterator<char>(cmdline_file),
                                  std::istreambuf_iterator<char>()};
        auto const vtpm = dom::store::parse_vtpm_links(cmdline);
        for (auto const &l : vtpm)
            std::fprintf(stderr, "wardstore: vtpm for '%s' served by '%s'\n", l.frontend.c_str(),
                         l.backend.c_str());
        auto discovery = dom::store::Ward_discovery::create(opts.socket_path, vtpm);
        if (!discovery) {
            std::fprintf(stderr, "wardstore: %s\n", discovery.error().c_str());
            return 1;
        }
        make_parent_dirs(opts.socket_path);
        dom::store::Server server{opts};
        server.set_ring_provider(provider->get());
        g_server = &server;
        std::signal(SIGPIPE, SIG_IGN);
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        if (auto r = server.start(); !r) {
            std::fprintf(stderr, "wardstore: %s\n", r.error().c_str());
            return 1;
        }
        std::fprintf(stderr, "wardstore: store domain serving rings (socket %s)\n",
                     opts.socket_path.c_str());
        std::atomic<bool> stop{false};
        int const stop_fd = ::eventfd(0, EFD_CLOEXEC);
        std::thread finder{[&] { (*discovery)->run(stop, stop_fd); }};
        auto const r = server.run();
        g_server = nullptr;
        stop = true;
        uint64_t const one = 1;
        [[maybe_unused]] auto w = ::write(stop_fd, &one, sizeof one);
        finder.join();
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
