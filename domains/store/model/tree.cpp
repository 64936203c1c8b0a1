// SPDX-License-Identifier: MIT
#include "tree.hpp"

#include <algorithm>

#include "path.hpp"

namespace dom::store
{

Tree::Tree()
{
    Node root;
    root.perms = {Perm{0, ACCESS_NONE}};
    root.gen = ++gen_;
    count(root.perms, 1);
    nodes_.emplace("/", std::move(root));
}

Node const *Tree::find(std::string_view path) const
{
    auto const it = nodes_.find(path);
    return it == nodes_.end() ? nullptr : &it->second;
}

void Tree::count(Perms const &perms, int delta)
{
    if (perms.empty())
        return;
    auto &n = owned_[perms.front().domid];
    n = static_cast<uint32_t>(static_cast<int>(n) + delta);
}

uint32_t Tree::owned_by(uint32_t domid) const
{
    auto const it = owned_.find(domid);
    return it == owned_.end() ? 0 : it->second;
}

bool Tree::put(std::string_view path, std::string_view value, Perms const &perms)
{
    if (path.empty() || path.front() != '/' || perms.empty())
        return false;
    if (auto it = nodes_.find(path); it != nodes_.end()) {
        notify(path, &it->second);
        count(it->second.perms, -1);
        it->second.value.assign(value);
        it->second.perms = perms;
        it->second.gen = ++gen_;
        count(perms, 1);
        return true;
    }
    if (path == "/")
        return false;
    auto const parent = nodes_.find(parent_path(path));
    if (parent == nodes_.end())
        return false;
    notify(parent->first, &parent->second);
    notify(path, nullptr);
    parent->second.children.emplace_back(base_name(path));
    parent->second.gen = ++gen_;
    Node n;
    n.value.assign(value);
    n.perms = perms;
    n.gen = gen_;
    count(perms, 1);
    nodes_.emplace(std::string{path}, std::move(n));
    return true;
}

void Tree::erase_subtree(std::string const &path)
{
    auto const it = nodes_.find(path);
    if (it == nodes_.end())
        return;
    for (auto const &c : it->second.children)
        erase_subtree(child_path(path, c));
    notify(path, &it->second);
    count(it->second.perms, -1);
    nodes_.erase(path);
}

bool Tree::del(std::string_view path)
{
    if (path == "/" || !nodes_.contains(path))
        return false;
    auto const parent = nodes_.find(parent_path(path));
    if (parent != nodes_.end()) {
        notify(parent->first, &parent->second);
        auto &ch = parent->second.children;
        auto const name = base_name(path);
        // Children are usually removed newest-first; search from the back.
        auto const rit = std::find(ch.rbegin(), ch.rend(), name);
        if (rit != ch.rend())
            ch.erase(std::next(rit).base());
        parent->second.gen = ++gen_;
    }
    erase_subtree(std::string{path});
    ++gen_;
    return true;
}

void Tree::walk(std::function<void(std::string const &, Node const &)> const &fn) const
{
    std::vector<std::string> stack{"/"};
    while (!stack.empty()) {
        std::string const path = std::move(stack.back());
        stack.pop_back();
        auto const it = nodes_.find(path);
        if (it == nodes_.end())
            continue;
        fn(path, it->second);
        auto const &ch = it->second.children;
        for (auto c = ch.rbegin(); c != ch.rend(); ++c)
            stack.push_back(child_path(path, *c));
    }
}

std::vector<std::string> Tree::owned_tops(uint32_t domid) const
{
    std::vector<std::string> tops;
    walk([&](std::string const &path, Node const &n) {
        if (path == "/" || n.perms.front().domid != domid)
            return;
        if (!tops.empty() && path_within(path, tops.back()))
            return;
        tops.push_back(path);
    });
    return tops;
}

} // namespace dom::store
