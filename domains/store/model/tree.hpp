// SPDX-License-Identifier: MIT
// The node tree: path -> node, children in insertion order, a generation count per change.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "perms.hpp"

namespace dom::store
{

struct Node
{
    std::string value;
    Perms perms;
    std::string children; // "<name>\0" per child, in creation order (the DIRECTORY reply)
    uint64_t gen = 0;     // store generation of the last change (0 = never stored)
};

// Child lists are stored as the wire protocol sends them: each name followed by a NUL.
void add_child(std::string &list, std::string_view name);
bool remove_child(std::string &list, std::string_view name);
std::vector<std::string> child_names(std::string_view list);

template <typename F> void for_each_child(std::string_view list, F &&fn)
{
    while (!list.empty()) {
        auto const nul = list.find('\0');
        fn(list.substr(0, nul));
        if (nul == std::string_view::npos)
            return;
        list.remove_prefix(nul + 1);
    }
}

struct String_hash
{
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Told about every node about to change (old state, or nullptr for a node about to be
// created): how open transactions keep their snapshot.
class Tree_observer
{
  public:
    virtual ~Tree_observer() = default;
    virtual void before_change(std::string_view path, Node const *old) = 0;
};

// Primitive, already-validated changes. The same two operations serve direct requests,
// transaction commits and journal replay, so the three cannot drift apart.
class Tree
{
  public:
    Tree();

    Node const *find(std::string_view path) const;

    // Creates or updates `path`. A new node is appended to its parent's children. Returns false
    // (and changes nothing) if the parent does not exist or the path is not absolute.
    bool put(std::string_view path, std::string_view value, Perms const &perms);

    // Removes `path` and its subtree and unlinks it from its parent. Returns false if absent or
    // the root.
    bool del(std::string_view path);

    uint64_t generation() const { return gen_; }
    size_t size() const { return nodes_.size(); }
    uint32_t owned_by(uint32_t domid) const;

    // Depth-first, parents before children, children in order (the snapshot order).
    void walk(std::function<void(std::string const &, Node const &)> const &fn) const;

    // Removes every node (and subtree) owned by `domid`, except the root. Returns removed paths'
    // tops, in walk order.
    std::vector<std::string> owned_tops(uint32_t domid) const;

    void observe(Tree_observer *o) const { observers_.push_back(o); }
    void unobserve(Tree_observer *o) const { std::erase(observers_, o); }

  private:
    void notify(std::string_view path, Node const *old) const
    {
        for (auto *o : observers_)
            o->before_change(path, old);
    }
    void count(Perms const &perms, int delta);
    void erase_subtree(std::string const &path);

    std::unordered_map<std::string, Node, String_hash, std::equal_to<>> nodes_;
    std::unordered_map<uint32_t, uint32_t> owned_;
    uint64_t gen_ = 0;
    mutable std::vector<Tree_observer *> observers_;
};

} // namespace dom::store
