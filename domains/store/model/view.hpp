// SPDX-License-Identifier: MIT
// What request semantics act on: the live tree, or a transaction's private overlay of it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hv/result.hpp"
#include "op.hpp"
#include "tree.hpp"

namespace dom::store
{

// A change that watches see: `path` was written, created, had its permissions changed, or (with
// `recursive`) was removed together with its subtree.
struct Change
{
    std::string path;
    bool recursive = false;
};

class View
{
  public:
    virtual ~View() = default;
    virtual Node const *get(std::string const &path) = 0;
    // Preconditions (checked by the semantics layer): the parent exists for a new node; `path`
    // exists for del.
    virtual void put(std::string const &path, std::string_view value, Perms const &perms) = 0;
    virtual void del(std::string const &path) = 0;
    virtual uint32_t owned_by(uint32_t domid) const = 0;
    // node_memory() bytes of the nodes `domid` owns (the `memory` quota).
    virtual uint64_t bytes_owned_by(uint32_t domid) const = 0;
    virtual void changed(Change c) = 0;
};

// Direct access: each change goes to the tree at once and is queued for the journal and for
// watches.
class Direct_view final : public View
{
  public:
    Direct_view(Tree &tree, std::vector<Op> &journal, std::vector<Change> &changes)
        : tree_{tree}, journal_{journal}, changes_{changes}
    {}
    Node const *get(std::string const &path) override { return tree_.find(path); }
    void put(std::string const &path, std::string_view value, Perms const &perms) override;
    void del(std::string const &path) override;
    uint32_t owned_by(uint32_t domid) const override { return tree_.owned_by(domid); }
    uint64_t bytes_owned_by(uint32_t domid) const override { return tree_.bytes_owned_by(domid); }
    void changed(Change c) override { changes_.push_back(std::move(c)); }

  private:
    Tree &tree_;
    std::vector<Op> &journal_;
    std::vector<Change> &changes_;
};

// A transaction: reads see the tree as it was when the transaction started, plus the
// transaction's own changes. While it is open, the tree hands it the old state of every node
// about to change, so its snapshot survives later writes. The commit fails with EAGAIN if any
// node the transaction read or wrote changed since it started.
class Txn final : public View, private Tree_observer
{
  public:
    explicit Txn(Tree const &tree) : tree_{tree} { tree_.observe(this); }
    ~Txn() override { tree_.unobserve(this); }
    Txn(Txn const &) = delete;
    Txn &operator=(Txn const &) = delete;

    Node const *get(std::string const &path) override;
    void put(std::string const &path, std::string_view value, Perms const &perms) override;
    void del(std::string const &path) override;
    uint32_t owned_by(uint32_t domid) const override;
    uint64_t bytes_owned_by(uint32_t domid) const override;
    void changed(Change c) override { changes_.push_back(std::move(c)); }

    // Nodes read or written so far (the transaction-nodes quota).
    size_t touched() const { return seen_.size(); }

    // Checks for conflicts, then applies the changes to `tree` and appends them to `journal`.
    // On success returns the changes for watches. EAGAIN on conflict (nothing is applied).
    hv::Result<std::vector<Change>, Err> commit(Tree &tree, std::vector<Op> &journal);

  private:
    void before_change(std::string_view path, Node const *old) override;
    Node *own(std::string const &path);
    void drop(std::string const &path);
    void account(std::string const &path, Node const &n, int sign);

    Tree const &tree_;
    std::unordered_map<std::string, std::optional<Node>, String_hash, std::equal_to<>> overlay_;
    // Nodes changed in the tree since the start: their state at the start (nullopt = absent).
    std::unordered_map<std::string, std::optional<Node>, String_hash, std::equal_to<>> before_;
    std::unordered_map<std::string, bool, String_hash, std::equal_to<>> seen_;
    std::unordered_map<uint32_t, int64_t> owned_delta_;
    std::unordered_map<uint32_t, int64_t> bytes_delta_;
    std::vector<Op> ops_;
    std::vector<Change> changes_;
};

} // namespace dom::store
