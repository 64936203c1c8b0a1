// SPDX-License-Identifier: MIT
// What each node request means, written once against a View (live tree or transaction):
// permission checks, implicit parent creation, quotas, and the changes watches will see.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "hv/result.hpp"
#include "quota.hpp"
#include "view.hpp"

namespace dom::store
{

struct Request_scope
{
    View &view;
    Caller const &caller;
    Quotas const &quotas;
    // The quotas of another domain (a node's owner, for the memory quota); when empty,
    // `quotas` is used.
    std::function<Quotas const &(uint32_t)> quotas_of = {};
};

// `path` must already be resolved (absolute, valid).
hv::Result<Node const *, Err> lookup(Request_scope const &s, std::string const &path, uint8_t need);
hv::Result<void, Err> write_node(Request_scope const &s, std::string const &path,
                                 std::string_view value);
hv::Result<void, Err> make_dir(Request_scope const &s, std::string const &path);
hv::Result<void, Err> remove_node(Request_scope const &s, std::string const &path);
hv::Result<void, Err> set_node_perms(Request_scope const &s, std::string const &path,
                                     Perms const &perms);

} // namespace dom::store
