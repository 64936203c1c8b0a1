// SPDX-License-Identifier: MIT
// What the two store programs share around a Server: the options they take (wardstore on a host,
// wardstore-domain inside the store domain), the usage text, and stopping on SIGINT/SIGTERM.
//   [--socket PATH] [--state-dir DIR] [--quota [DOMID:]NAME=N]... [--keep-orphans]
//   [--durability full|process]
#pragma once

#include <string>

#include "server/server.hpp"

namespace dom::store
{

// Reads the options into `opts` (defaults stay where an option is absent); false on an unknown
// option, a missing value or a bad quota/durability (then print server_usage()).
bool parse_server_options(int argc, char **argv, Server_options &opts);
std::string server_usage(char const *program);

// Makes the directories above `path` (its socket's), ignoring those that exist.
void make_parent_dirs(std::string const &path);

// SIGINT and SIGTERM stop `server`, SIGPIPE is ignored; until stop_on_signals(nullptr).
void stop_on_signals(Server *server);

} // namespace dom::store
