// SPDX-License-Identifier: MIT
// Per-domain quotas with C xenstored's defaults. They bind unprivileged domains only; 0 = off.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace dom::store
{

struct Quotas
{
    uint32_t nodes = 1000;             // nodes owned per domain
    uint32_t watches = 128;            // watches per connection
    uint32_t outstanding = 20;         // requests queued per connection
    uint32_t transactions = 10;        // open transactions per connection
    uint32_t transaction_nodes = 1024; // nodes touched per transaction
    uint32_t node_permissions = 5;     // permission entries per node
    uint32_t path_max = 2048;          // relative path length
    uint32_t node_size = 2048;         // value + permissions bytes per node
    uint32_t memory = 2621440;         // node_memory() bytes owned per domain (Xen's hard quota)

    // The field for a quota name ("nodes", "watches", ...), or nullptr.
    uint32_t *field(std::string_view name);
    uint32_t const *field(std::string_view name) const;
};

// Space-separated quota names, as GET_QUOTA with no argument returns them.
inline constexpr std::string_view QUOTA_NAMES = "nodes watches outstanding transactions "
                                                "transaction-nodes node-permissions path-max "
                                                "node-size memory";

// True if `used` is over a limit (`limit` 0 disables the check).
constexpr bool over(uint64_t used, uint32_t limit)
{
    return limit != 0 && used > limit;
}

} // namespace dom::store
