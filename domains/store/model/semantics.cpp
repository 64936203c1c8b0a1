// SPDX-License-Identifier: MIT
#include "semantics.hpp"

#include <vector>

#include "path.hpp"

namespace dom::store
{

namespace
{

// A node's size as C xenstored's quota sees it (core.c, calc_node_acc_size): the 16-byte
// node header, 8 bytes per permission entry, the value and the NUL-terminated child names.
size_t node_acc_size(size_t nperms, size_t value, size_t children)
{
    return 16 + 8 * nperms + value + children;
}

// The node-size quota (ENOSPC, as write_node_raw() in C xenstored); privileged callers exempt.
bool node_too_big(Request_scope const &s, size_t nperms, size_t value, size_t children)
{
    return !s.caller.privileged && over(node_acc_size(nperms, value, children), s.quotas.node_size);
}

// The memory quota (ENOSPC): `owner` would hold `delta` more node_memory() bytes. Checked
// for unprivileged callers, against the owner's quota, as C xenstored charges the node's
// owner.
bool memory_over(Request_scope const &s, uint32_t owner, int64_t delta)
{
    if (s.caller.privileged || delta <= 0)
        return false;
    Quotas const &q = s.quotas_of ? s.quotas_of(owner) : s.quotas;
    return over(s.view.bytes_owned_by(owner) + static_cast<uint64_t>(delta), q.memory);
}

// ENOENT, or EACCES when the caller may not even read the nearest existing ancestor (so a
// missing node does not reveal what exists around it).
Err missing(Request_scope const &s, std::string const &path)
{
    if (s.caller.privileged)
        return Err::NOENT;
    std::string p{path};
    while (p != "/") {
        p = std::string{parent_path(p)};
        if (Node const *a = s.view.get(p))
            return (access_for(s.caller, a->perms) & ACCESS_READ) ? Err::NOENT : Err::ACCES;
    }
    return Err::NOENT;
}

// Creates `path` and any missing parents. New nodes inherit their parent's permissions; an
// unprivileged creator becomes the owner.
hv::Result<void, Err> create(Request_scope const &s, std::string const &path,
                             std::string_view value)
{
    std::vector<std::string> missing_nodes{path};
    Node const *anchor = nullptr;
    for (std::string p{parent_path(path)};; p = std::string{parent_path(p)}) {
        if ((anchor = s.view.get(p)))
            break;
        missing_nodes.push_back(p);
    }
    if (!(access_for(s.caller, anchor->perms) & ACCESS_WRITE))
        return hv::unexpected(Err::ACCES);
    if (!s.caller.privileged &&
        over(s.view.owned_by(s.caller.domid) + missing_nodes.size(), s.quotas.nodes))
        return hv::unexpected(Err::NOSPC);
    Perms perms = anchor->perms;
    if (!s.caller.privileged)
        perms.front().domid = s.caller.domid;
    if (node_too_big(s, perms.size(), value.size(), 0))
        return hv::unexpected(Err::NOSPC);
    int64_t bytes = 0;
    for (auto const &p : missing_nodes)
        bytes += static_cast<int64_t>(
            node_memory(base_name(p).size(), p == path ? value.size() : 0, perms.size()));
    if (memory_over(s, perms.front().domid, bytes))
        return hv::unexpected(Err::NOSPC);
    for (auto it = missing_nodes.rbegin(); it != missing_nodes.rend(); ++it)
        s.view.put(*it, *it == path ? value : std::string_view{}, perms);
    s.view.changed({path, false});
    return {};
}

} // namespace

hv::Result<Node const *, Err> lookup(Request_scope const &s, std::string const &path, uint8_t need)
{
    Node const *n = s.view.get(path);
    if (!n)
        return hv::unexpected(missing(s, path));
    if ((access_for(s.caller, n->perms) & need) != need)
        return hv::unexpected(Err::ACCES);
    return n;
}

hv::Result<void, Err> write_node(Request_scope const &s, std::string const &path,
                                 std::string_view value)
{
    Node const *n = s.view.get(path);
    if (!n)
        return create(s, path, value);
    if (!(access_for(s.caller, n->perms) & ACCESS_WRITE))
        return hv::unexpected(Err::ACCES);
    if (node_too_big(s, n->perms.size(), value.size(), n->children.size()))
        return hv::unexpected(Err::NOSPC);
    if (memory_over(s, n->perms.front().domid,
                    static_cast<int64_t>(value.size()) - static_cast<int64_t>(n->value.size())))
        return hv::unexpected(Err::NOSPC);
    Perms const perms = n->perms;
    s.view.put(path, value, perms);
    s.view.changed({path, false});
    return {};
}

hv::Result<void, Err> make_dir(Request_scope const &s, std::string const &path)
{
    Node const *n = s.view.get(path);
    if (!n)
        return create(s, path, {});
    if (!(access_for(s.caller, n->perms) & ACCESS_WRITE))
        return hv::unexpected(Err::ACCES);
    return {};
}

hv::Result<void, Err> remove_node(Request_scope const &s, std::string const &path)
{
    if (path == "/")
        return hv::unexpected(Err::INVAL);
    Node const *n = s.view.get(path);
    if (!n) {
        // Removing a missing node succeeds when its parent exists.
        if (s.view.get(std::string{parent_path(path)}))
            return {};
        return hv::unexpected(missing(s, path));
    }
    if (!(access_for(s.caller, n->perms) & ACCESS_WRITE))
        return hv::unexpected(Err::ACCES);
    s.view.del(path);
    s.view.changed({path, true});
    return {};
}

hv::Result<void, Err> set_node_perms(Request_scope const &s, std::string const &path,
                                     Perms const &perms)
{
    if (perms.empty())
        return hv::unexpected(Err::INVAL);
    if (!s.caller.privileged && over(perms.size(), s.quotas.node_permissions))
        return hv::unexpected(Err::NOSPC);
    Node const *n = HV_TRY(lookup(s, path, ACCESS_WRITE));
    if (!(access_for(s.caller, n->perms) & ACCESS_OWNER))
        return hv::unexpected(Err::ACCES);
    if (!s.caller.privileged && perms.front().domid != n->perms.front().domid)
        return hv::unexpected(Err::PERM);
    if (node_too_big(s, perms.size(), n->value.size(), n->children.size()))
        return hv::unexpected(Err::NOSPC);
    if (memory_over(
            s, perms.front().domid,
            8 * (static_cast<int64_t>(perms.size()) - static_cast<int64_t>(n->perms.size()))))
        return hv::unexpected(Err::NOSPC);
    std::string const value = n->value.str();
    s.view.put(path, value, perms);
    s.view.changed({path, false});
    return {};
}

} // namespace dom::store
