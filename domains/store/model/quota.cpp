// SPDX-License-Identifier: MIT
#include "quota.hpp"

namespace dom::store
{

uint32_t *Quotas::field(std::string_view name)
{
    return const_cast<uint32_t *>(static_cast<Quotas const *>(this)->field(name));
}

uint32_t const *Quotas::field(std::string_view name) const
{
    if (name == "nodes")
        return &nodes;
    if (name == "watches")
        return &watches;
    if (name == "outstanding")
        return &outstanding;
    if (name == "transactions")
        return &transactions;
    if (name == "transaction-nodes")
        return &transaction_nodes;
    if (name == "node-permissions")
        return &node_permissions;
    if (name == "path-max")
        return &path_max;
    if (name == "node-size")
        return &node_size;
    if (name == "memory")
        return &memory;
    return nullptr;
}

} // namespace dom::store
