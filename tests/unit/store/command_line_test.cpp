// SPDX-License-Identifier: MIT
// The store programs' shared command line (domains/store/server/command_line.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/command_line.hpp"

namespace
{

using dom::store::Durability;
using dom::store::parse_server_options;
using dom::store::Server_options;

// argv for the parser: the program name, then `args`.
bool parse(std::vector<std::string> args, Server_options &opts)
{
    args.insert(args.begin(), "wardstore");
    std::vector<char *> argv;
    for (std::string &a : args)
        argv.push_back(a.data());
    return parse_server_options(static_cast<int>(argv.size()), argv.data(), opts);
}

TEST(StoreCommandLine, OptionsAreReadAndDefaultsKept)
{
    Server_options opts;
    opts.state_dir = "/run/ward/store"; // a caller's default
    ASSERT_TRUE(parse({"--socket", "/tmp/s", "--quota", "nodes=7", "--quota", "3:watches=2",
                       "--durability=process", "--keep-orphans"},
                      opts));
    EXPECT_EQ(opts.socket_path, "/tmp/s");
    EXPECT_EQ(opts.state_dir, "/run/ward/store");
    EXPECT_EQ(*opts.core.quotas.field("nodes"), 7u);
    ASSERT_EQ(opts.core.domain_quotas.size(), 1u);
    EXPECT_EQ(opts.core.domain_quotas[0].domid, 3u);
    EXPECT_EQ(opts.core.domain_quotas[0].name, "watches");
    EXPECT_EQ(opts.core.domain_quotas[0].value, 2u);
    EXPECT_EQ(opts.core.durability, Durability::PROCESS);
    EXPECT_TRUE(opts.core.keep_orphans);
    ASSERT_TRUE(parse({"--durability", "full", "--state-dir", "/d"}, opts));
    EXPECT_EQ(opts.core.durability, Durability::FULL);
    EXPECT_EQ(opts.state_dir, "/d");
}

TEST(StoreCommandLine, BadInputIsRefused)
{
    for (std::vector<std::string> const &bad : std::vector<std::vector<std::string>>{
             {"--bogus"},
             {"--socket"},
             {"--quota"},
             {"--quota", "nodes"},
             {"--quota", "nosuch=3"},
             {"--quota", "nodes=x"},
             {"--quota", "nodes=4294967295"},
             {"--quota", "x:nodes=3"},
             {"--durability", "sometimes"},
             {"--durability="},
         }) {
        Server_options opts;
        EXPECT_FALSE(parse(bad, opts)) << bad[0] << (bad.size() > 1 ? " " + bad[1] : "");
    }
}

} // namespace
