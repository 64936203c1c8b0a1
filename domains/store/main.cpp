// SPDX-License-Identifier: MIT
// wardstore: Ward's XenStore-compatible configuration store.
//   wardstore [--socket PATH] [--state-dir DIR] [--quota [DOMID:]NAME=N]... [--keep-orphans]
//             [--durability full|process]
#include <cstdio>
#include <exception>

#include "server/command_line.hpp"
#include "server/server.hpp"

int main(int argc, char **argv)
{
    dom::store::Server_options opts;
    if (!dom::store::parse_server_options(argc, argv, opts)) {
        std::fputs(dom::store::server_usage("wardstore").c_str(), stderr);
        return 2;
    }
    try {
        dom::store::make_parent_dirs(opts.socket_path);
        dom::store::Server server{opts};
        dom::store::stop_on_signals(&server);
        if (auto r = server.start(); !r) {
            std::fprintf(stderr, "wardstore: %s\n", r.error().c_str());
            return 1;
        }
        std::fprintf(stderr, "wardstore: serving %s, state in %s (%zu nodes, durability %s)\n",
                     opts.socket_path.c_str(), opts.state_dir.c_str(), server.core().tree().size(),
                     opts.core.durability == dom::store::Durability::FULL ? "full" : "process");
        auto const r = server.run();
        dom::store::stop_on_signals(nullptr);
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
