// SPDX-License-Identifier: MIT
// wardstore-domain: wardstore as the store domain of Ward (docs/store-domain.md). Serves the
// rings of the domains Ward assigns to this domain (grant ref 1 through /dev/xen/gntdev, their
// store port through /dev/xen/evtchn), finds them with WARD_DOMCTL_STORE_INFO and VIRQ_DOM_EXC,
// and keeps the Unix socket for local tools.
//   wardstore-domain [wardstore's options: --socket PATH --state-dir DIR --quota ... ]
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

#include "server/command_line.hpp"
#include "server/server.hpp"
#include "server/ward_discovery.hpp"
#include "server/xen_ring_provider.hpp"

int main(int argc, char **argv)
{
    dom::store::Server_options opts;
    opts.socket_path = "/run/ward/xenstored/socket";
    opts.state_dir = "/run/ward/store";
    if (!dom::store::parse_server_options(argc, argv, opts)) {
        std::fputs(dom::store::server_usage("wardstore-domain").c_str(), stderr);
        return 2;
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
        dom::store::make_parent_dirs(opts.socket_path);
        dom::store::Server server{opts};
        server.set_ring_provider(provider->get());
        dom::store::stop_on_signals(&server);
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
        dom::store::stop_on_signals(nullptr);
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
