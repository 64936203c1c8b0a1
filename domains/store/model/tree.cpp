// SPDX-License-Identifier: MIT
#include "tree.hpp"

#include <algorithm>

#include "path.hpp"

namespace dom::store
{

void add_child(Bytes &list, std::string_view name)
{
    list.append(name);
    list.append(std::string_view{"\0", 1});
}

bool remove_child(Bytes &list, std::string_view name)
{
    // Children are usually removed newest-first: search from the back. Each entry is
    // [first, end - 1) followed by its NUL at end - 1.
    std::string_view const all = list;
    size_t end = all.size();
    while (end >= 2) {
        size_t const prev = all.rfind('\0', end - 2);
        size_t const first = prev == std::string_view::npos ? 0 : prev + 1;
        if (all.substr(first, end - 1 - first) == name) {
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
    rehash(64);
    uint32_t const root = alloc(); // slot 0
    Slot &s = slot(root);
    s.node.perms = {Perm{0, ACCESS_NONE}};
    s.node.gen = ++gen_;
    s.parent = NONE;
    count(s, 1);
    count_ = 1;
}

Tree::~Tree() = default;

size_t Tree::bucket(uint32_t parent, std::string_view name) const
{
    size_t h = std::hash<std::string_view>{}(name);
    h ^= (static_cast<size_t>(parent) + 1) * 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h & (buckets_.size() - 1);
}

uint32_t Tree::child(uint32_t parent, std::string_view name) const
{
    for (uint32_t id = buckets_[bucket(parent, name)]; id != NONE;) {
        Slot const &s = slot(id);
        if (s.parent == parent && s.name == name)
            return id;
        id = s.next;
    }
    return NONE;
}

uint32_t Tree::lookup(std::string_view path) const
{
    if (path.empty() || path.front() != '/')
        return NONE;
    uint32_t id = 0;
    path.remove_prefix(1);
    while (!path.empty()) {
        auto const slash = path.find('/');
        id = child(id, path.substr(0, slash));
        if (id == NONE || slash == std::string_view::npos)
            return id;
        path.remove_prefix(slash + 1);
    }
    return id;
}

uint32_t Tree::alloc()
{
    if (free_ != NONE) {
        uint32_t const id = free_;
        free_ = slot(id).next;
        slot(id).next = NONE;
        return id;
    }
    if (slots_ % CHUNK == 0)
        chunks_.push_back(std::make_unique<Slot[]>(CHUNK));
    return slots_++;
}

void Tree::link(uint32_t id)
{
    Slot &s = slot(id);
    uint32_t &head = buckets_[bucket(s.parent, s.name)];
    s.next = head;
    head = id;
}

void Tree::unlink(uint32_t id)
{
    Slot &s = slot(id);
    uint32_t *at = &buckets_[bucket(s.parent, s.name)];
    while (*at != id)
        at = &slot(*at).next;
    *at = s.next;
    s.next = NONE;
}

void Tree::rehash(size_t n)
{
    buckets_.assign(n, NONE);
    // Every live non-root slot goes back into its chain; free slots keep their free-list links.
    std::vector<bool> is_free(slots_, false);
    for (uint32_t id = free_; id != NONE; id = slot(id).next)
        is_free[id] = true;
    for (uint32_t id = 1; id < slots_; ++id)
        if (!is_free[id])
            link(id);
}

Node const *Tree::find(std::string_view path) const
{
    uint32_t const id = lookup(path);
    return id == NONE ? nullptr : &slot(id).node;
}

void Tree::count(Slot const &s, int delta)
{
    Perms const &perms = s.node.perms;
    if (perms.empty())
        return;
    Usage &u = owned_[perms.front().domid];
    uint64_t const bytes = node_memory(s.name.size(), s.node.value.size(), perms.size());
    if (delta > 0) {
        ++u.nodes;
        u.bytes += bytes;
    } else {
        --u.nodes;
        u.bytes -= bytes;
    }
}

Usage Tree::usage(uint32_t domid) const
{
    auto const it = owned_.find(domid);
    return it == owned_.end() ? Usage{} : it->second;
}

bool Tree::put(std::string_view path, std::string_view value, Perms const &perms)
{
    if (path.empty() || path.front() != '/' || perms.empty())
        return false;
    if (uint32_t const id = lookup(path); id != NONE) {
        Slot &s = slot(id);
        notify(path, &s.node);
        count(s, -1);
        s.node.value.assign(value);
        s.node.perms = perms;
        s.node.gen = ++gen_;
        count(s, 1);
        return true;
    }
    if (path == "/")
        return false;
    std::string_view const parent_name = parent_path(path);
    uint32_t const pid = lookup(parent_name);
    if (pid == NONE)
        return false;
    std::string_view const name = base_name(path);
    Slot &parent = slot(pid);
    notify(parent_name, &parent.node);
    notify(path, nullptr);
    add_child(parent.node.children, name);
    parent.node.gen = ++gen_;
    uint32_t const id = alloc();
    Slot &s = slot(id);
    s.name.assign(name);
    s.parent = pid;
    s.node.value.assign(value);
    s.node.perms = perms;
    s.node.gen = gen_;
    count(s, 1);
    if (++count_ > buckets_.size())
        rehash(buckets_.size() * 2);
    else
        link(id);
    return true;
}

void Tree::erase_subtree(uint32_t id, std::string const &path)
{
    Slot &s = slot(id);
    for_each_child(s.node.children, [&](std::string_view c) {
        if (uint32_t const cid = child(id, c); cid != NONE)
            erase_subtree(cid, child_path(path, c));
    });
    notify(path, &s.node);
    count(s, -1);
    unlink(id);
    s.node = Node{};
    s.name = Bytes{};
    s.parent = NONE;
    s.next = free_;
    free_ = id;
    --count_;
}

bool Tree::del(std::string_view path)
{
    uint32_t const id = lookup(path);
    if (path == "/" || id == NONE)
        return false;
    Slot &parent = slot(slot(id).parent);
    notify(parent_path(path), &parent.node);
    remove_child(parent.node.children, base_name(path));
    parent.node.gen = ++gen_;
    erase_subtree(id, std::string{path});
    ++gen_;
    return true;
}

void Tree::walk(std::function<void(std::string const &, Node const &)> const &fn) const
{
    std::vector<std::pair<uint32_t, std::string>> stack{{0, "/"}};
    std::vector<std::string_view> names;
    while (!stack.empty()) {
        auto const [id, path] = std::move(stack.back());
        stack.pop_back();
        Slot const &s = slot(id);
        fn(path, s.node);
        names.clear();
        for_each_child(s.node.children, [&](std::string_view c) { names.push_back(c); });
        for (auto c = names.rbegin(); c != names.rend(); ++c)
            if (uint32_t const cid = child(id, *c); cid != NONE)
                stack.emplace_back(cid, child_path(path, *c));
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
