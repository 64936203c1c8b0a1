// SPDX-License-Identifier: MIT
#include "tree.hpp"

#include <algorithm>

#include "path.hpp"

namespace dom::store
{

void add_child(std::string &list, std::string_view name)
{
    list += name;
    list += '\0';
}

bool remove_child(std::string &list, std::string_view name)
{
    // Children are usually removed newest-first: search from the back. Each entry is
    // [first, end - 1) followed by its NUL at end - 1.
    size_t end = list.size();
    while (end >= 2) {
        size_t const prev = list.rfind('\0', end - 2);
        size_t const first = prev == std::string::npos ? 0 : prev + 1;
        if (std::string_view{list}.substr(first, end - 1 - first) == name) {
            list.erase(first, end - first);
            return true;
        }
        end = first;
    }
    return false;
}

std::vector<std::string> child_names(std::string_view list)
{
    std::vector<std::string> out;
    for_each_child(list, [&](std::string_view n) { out.emplace_back(n); });
    return out;
}

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
    add_child(parent->second.children, base_name(path));
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
    for_each_child(it->second.children,
                   [&](std::string_view c) { erase_subtree(child_path(path, c)); });
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
        remove_child(parent->second.children, base_name(path));
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
        auto const names = child_names(it->second.children);
        for (auto c = names.rbegin(); c != names.rend(); ++c)
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
