// SPDX-License-Identifier: MIT
// The node tree: a tree of nodes keyed by (parent, path component), children in creation
// order, a generation count per change.
//
// Layout (docs/store.md, "Memory"): nodes live in fixed chunks of slots (stable addresses,
// freed slots reused); each slot holds its component name, its parent's slot number and the
// next slot of its hash chain. One hash table of slot numbers, keyed by (parent slot, name),
// finds a child in O(1) whatever the directory's size. No slot stores its full path: a path
// is looked up one component at a time and rebuilt only when walking.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bytes.hpp"
#include "perms.hpp"

namespace dom::store
{

struct Node
{
    Bytes value;
    Perms perms;
    Bytes children;   // "<name>\0" per child, in creation order (the DIRECTORY reply)
    uint64_t gen = 0; // store generation of the last change (0 = never stored)
};

// Child lists are stored as the wire protocol sends them: each name followed by a NUL.
void add_child(Bytes &list, std::string_view name);
bool remove_child(Bytes &list, std::string_view name);
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

// The bytes a node charges to its owner's `memory` quota: a 16-byte header, 8 bytes per
// permission entry, its value and its name with the NUL that ends it in the parent's list.
constexpr uint64_t node_memory(size_t name, size_t value, size_t nperms)
{
    return 16 + 8 * static_cast<uint64_t>(nperms) + value + name + 1;
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

// What one domain owns (first permission entry): nodes, and their node_memory() bytes.
struct Usage
{
    uint32_t nodes = 0;
    uint64_t bytes = 0;
};

// Primitive, already-validated changes. The same two operations serve direct requests,
// transaction commits and journal replay, so the three cannot drift apart.
class Tree
{
  public:
    Tree();
    ~Tree();
    Tree(Tree const &) = delete;
    Tree &operator=(Tree const &) = delete;

    // The node at an absolute path; the pointer stays valid until that node is removed.
    Node const *find(std::string_view path) const;

    // Creates or updates `path`. A new node is appended to its parent's children. Returns false
    // (and changes nothing) if the parent does not exist or the path is not absolute.
    bool put(std::string_view path, std::string_view value, Perms const &perms);

    // Removes `path` and its subtree and unlinks it from its parent. Returns false if absent or
    // the root.
    bool del(std::string_view path);

    uint64_t generation() const { return gen_; }
    size_t size() const { return count_; }
    uint32_t owned_by(uint32_t domid) const { return usage(domid).nodes; }
    uint64_t bytes_owned_by(uint32_t domid) const { return usage(domid).bytes; }
    Usage usage(uint32_t domid) const;

    // Depth-first, parents before children, children in order (the snapshot order).
    void walk(std::function<void(std::string const &, Node const &)> const &fn) const;

    // Removes every node (and subtree) owned by `domid`, except the root. Returns removed paths'
    // tops, in walk order.
    std::vector<std::string> owned_tops(uint32_t domid) const;

    void observe(Tree_observer *o) const { observers_.push_back(o); }
    void unobserve(Tree_observer *o) const { std::erase(observers_, o); }

  private:
    static constexpr uint32_t NONE = UINT32_MAX;
    static constexpr uint32_t CHUNK = 1024;

    struct Slot
    {
        Node node;
        Bytes name;
        uint32_t parent = NONE; // NONE: the root, or a free slot
        uint32_t next = NONE;   // next slot in the hash chain, or in the free list
    };

    Slot &slot(uint32_t id) const { return chunks_[id / CHUNK][id % CHUNK]; }
    uint32_t lookup(std::string_view path) const;
    uint32_t child(uint32_t parent, std::string_view name) const;
    size_t bucket(uint32_t parent, std::string_view name) const;
    uint32_t alloc();
    void link(uint32_t id);
    void unlink(uint32_t id);
    void rehash(size_t buckets);

    void notify(std::string_view path, Node const *old) const
    {
        for (auto *o : observers_)
            o->before_change(path, old);
    }
    void count(Slot const &s, int delta);
    void erase_subtree(uint32_t id, std::string const &path);

    std::vector<std::unique_ptr<Slot[]>> chunks_;
    uint32_t slots_ = 0;   // slots handed out so far (live or free)
    uint32_t free_ = NONE; // free-slot list
    std::vector<uint32_t> buckets_;
    size_t count_ = 0;
    std::unordered_map<uint32_t, Usage> owned_;
    uint64_t gen_ = 0;
    mutable std::vector<Tree_observer *> observers_;
};

} // namespace dom::store
