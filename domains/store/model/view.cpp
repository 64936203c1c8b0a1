// SPDX-License-Identifier: MIT
#include "view.hpp"

#include <algorithm>

#include "path.hpp"

namespace dom::store
{

void Direct_view::put(std::string const &path, std::string_view value, Perms const &perms)
{
    tree_.put(path, value, perms);
    journal_.push_back(Op{Op::Kind::PUT, path, std::string{value}, perms});
}

void Direct_view::del(std::string const &path)
{
    tree_.del(path);
    journal_.push_back(Op{Op::Kind::DEL, path, {}, {}});
}

void Txn::before_change(std::string_view path, Node const *old)
{
    if (before_.find(path) == before_.end())
        before_.emplace(std::string{path}, old ? std::optional<Node>{*old} : std::nullopt);
}

Node const *Txn::get(std::string const &path)
{
    if (auto const it = overlay_.find(path); it != overlay_.end())
        return it->second ? &*it->second : nullptr;
    seen_.try_emplace(path, true);
    if (auto const it = before_.find(path); it != before_.end())
        return it->second ? &*it->second : nullptr;
    return tree_.find(path);
}

Node *Txn::own(std::string const &path)
{
    if (auto const it = overlay_.find(path); it != overlay_.end())
        return it->second ? &*it->second : nullptr;
    Node const *n = get(path);
    auto &slot = overlay_[path];
    if (n)
        slot = *n;
    return slot ? &*slot : nullptr;
}

uint32_t Txn::owned_by(uint32_t domid) const
{
    auto const it = owned_delta_.find(domid);
    int64_t const n = tree_.owned_by(domid) + (it == owned_delta_.end() ? 0 : it->second);
    return n < 0 ? 0 : static_cast<uint32_t>(n);
}

uint64_t Txn::bytes_owned_by(uint32_t domid) const
{
    auto const it = bytes_delta_.find(domid);
    int64_t const n = static_cast<int64_t>(tree_.bytes_owned_by(domid)) +
                      (it == bytes_delta_.end() ? 0 : it->second);
    return n < 0 ? 0 : static_cast<uint64_t>(n);
}

void Txn::account(std::string const &path, Node const &n, int sign)
{
    uint32_t const owner = n.perms.front().domid;
    owned_delta_[owner] += sign;
    bytes_delta_[owner] += sign * static_cast<int64_t>(node_memory(base_name(path).size(),
                                                                   n.value.size(), n.perms.size()));
}

void Txn::put(std::string const &path, std::string_view value, Perms const &perms)
{
    Node *n = own(path);
    if (n) {
        account(path, *n, -1);
        n->value.assign(value);
        n->perms = perms;
    } else {
        Node *parent = own(std::string{parent_path(path)});
        add_child(parent->children, base_name(path));
        Node fresh;
        fresh.value.assign(value);
        fresh.perms = perms;
        n = &overlay_[path].emplace(std::move(fresh));
    }
    account(path, *n, 1);
    ops_.push_back(Op{Op::Kind::PUT, path, std::string{value}, perms});
}

void Txn::drop(std::string const &path)
{
    Node *n = own(path);
    if (!n)
        return;
    for (auto const &c : child_names(n->children))
        drop(child_path(path, c));
    account(path, *n, -1);
    overlay_[path] = std::nullopt;
}

void Txn::del(std::string const &path)
{
    drop(path);
    if (Node *parent = own(std::string{parent_path(path)})) {
        remove_child(parent->children, base_name(path));
    }
    ops_.push_back(Op{Op::Kind::DEL, path, {}, {}});
}

hv::Result<std::vector<Change>, Err> Txn::commit(Tree &tree, std::vector<Op> &journal)
{
    tree_.unobserve(this); // our own changes are not a conflict
    for (auto const &[path, _] : seen_)
        if (before_.find(path) != before_.end())
            return hv::unexpected(Err::AGAIN);
    for (Op &op : ops_) {
        if (op.kind == Op::Kind::PUT)
            tree.put(op.path, op.value, op.perms);
        else
            tree.del(op.path);
        journal.push_back(std::move(op));
    }
    ops_.clear();
    return std::move(changes_);
}

} // namespace dom::store
