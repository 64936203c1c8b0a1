// SPDX-License-Identifier: MIT
// The compact node representation: Bytes (inline and heap forms), the component-keyed tree
// (large directories, slot reuse, walk order), per-domain byte accounting and transaction
// snapshots over it.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/bytes.hpp"
#include "model/tree.hpp"
#include "model/view.hpp"

namespace dom::store
{
namespace
{

TEST(StoreBytes, InlineAndHeapForms)
{
    Bytes b;
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.heap_bytes(), 0u);
    b.assign("twelve bytes");
    EXPECT_EQ(b, "twelve bytes");
    EXPECT_EQ(b.heap_bytes(), 0u); // 12 bytes stay inline
    b.assign("thirteen byte");
    EXPECT_EQ(b, "thirteen byte");
    EXPECT_GT(b.heap_bytes(), 0u);
    b.assign("s");
    EXPECT_EQ(b, "s");
    EXPECT_EQ(b.heap_bytes(), 0u); // back inline, heap block freed
    std::string const big(5000, 'x');
    b.assign(big);
    EXPECT_EQ(b.view(), big);
    b.assign(std::string_view{b}.substr(10, 20)); // from its own bytes
    EXPECT_EQ(b.view(), std::string(20, 'x'));
}

TEST(StoreBytes, AppendEraseCopyMove)
{
    Bytes b;
    std::string ref;
    for (int i = 0; i < 200; ++i) {
        std::string const piece = "n" + std::to_string(i) + '\0';
        b.append(piece);
        ref += piece;
        ASSERT_EQ(b.view(), ref);
    }
    while (!ref.empty()) {
        size_t const pos = ref.size() / 3, n = std::min<size_t>(ref.size() - pos, 7);
        b.erase(pos, n);
        ref.erase(pos, n);
        ASSERT_EQ(b.view(), ref);
    }
    Bytes c{"a value longer than twelve"};
    Bytes d{c};
    EXPECT_EQ(d, c);
    Bytes e{std::move(c)};
    EXPECT_EQ(e, "a value longer than twelve");
    EXPECT_TRUE(c.empty());
    d = e;
    Bytes &alias = d;
    d = std::move(alias); // self-move keeps the value
    EXPECT_EQ(d, "a value longer than twelve");
    Bytes f{"short"};
    f = std::move(e);
    EXPECT_EQ(f, "a value longer than twelve");
}

TEST(StoreTreeLayout, LargeDirectoryAndDeepPaths)
{
    Tree t;
    Perms const p{Perm{0, ACCESS_NONE}};
    ASSERT_TRUE(t.put("/big", "", p));
    for (int i = 0; i < 20000; ++i)
        ASSERT_TRUE(t.put("/big/k" + std::to_string(i), "v" + std::to_string(i), p));
    EXPECT_EQ(t.size(), 20002u);
    for (int i = 0; i < 20000; i += 997)
        ASSERT_EQ(t.find("/big/k" + std::to_string(i))->value, "v" + std::to_string(i));
    EXPECT_EQ(t.find("/big/k20000"), nullptr);
    EXPECT_EQ(t.find("/big/k1/x"), nullptr);
    EXPECT_EQ(t.find("/bi"), nullptr);
    // The same name under different parents is a different node.
    std::string deep;
    for (int d = 0; d < 50; ++d) {
        deep += "/same";
        ASSERT_TRUE(t.put(deep, std::to_string(d), p));
    }
    deep.clear();
    for (int d = 0; d < 50; ++d) {
        deep += "/same";
        ASSERT_EQ(t.find(deep)->value, std::to_string(d));
    }
    EXPECT_FALSE(t.put("/missing/child", "", p));
    ASSERT_TRUE(t.del("/big"));
    EXPECT_EQ(t.size(), 51u);
    EXPECT_EQ(t.find("/big/k5"), nullptr);
    // Freed slots are reused and the new nodes are found.
    ASSERT_TRUE(t.put("/big", "again", p));
    ASSERT_TRUE(t.put("/big/k5", "new", p));
    EXPECT_EQ(t.find("/big/k5")->value, "new");
    EXPECT_EQ(t.find("/big")->children.view(), std::string_view("k5\0", 3));
}

TEST(StoreTreeLayout, WalkRebuildsPathsInOrder)
{
    Tree t;
    Perms const p{Perm{0, ACCESS_NONE}};
    for (char const *path : {"/b", "/a", "/b/y", "/b/x", "/a/z"})
        ASSERT_TRUE(t.put(path, path, p));
    std::vector<std::string> seen;
    t.walk([&](std::string const &path, Node const &n) {
        seen.push_back(path);
        if (path != "/") {
            EXPECT_EQ(n.value, path);
        }
    });
    EXPECT_EQ(seen, (std::vector<std::string>{"/", "/b", "/b/y", "/b/x", "/a", "/a/z"}));
}

TEST(StoreTreeLayout, BytesOwnedFollowsEveryChange)
{
    Tree t;
    Perms const d5{Perm{5, ACCESS_NONE}};
    Perms const d5r{Perm{5, ACCESS_NONE}, Perm{6, ACCESS_READ}};
    ASSERT_TRUE(t.put("/a", "1234", d5));
    EXPECT_EQ(t.bytes_owned_by(5), node_memory(1, 4, 1));
    ASSERT_TRUE(t.put("/a/bb", "", d5r));
    EXPECT_EQ(t.bytes_owned_by(5), node_memory(1, 4, 1) + node_memory(2, 0, 2));
    ASSERT_TRUE(t.put("/a", "12", d5)); // smaller value
    EXPECT_EQ(t.bytes_owned_by(5), node_memory(1, 2, 1) + node_memory(2, 0, 2));
    ASSERT_TRUE(t.put("/a/bb", "", Perms{Perm{6, ACCESS_NONE}})); // new owner
    EXPECT_EQ(t.bytes_owned_by(5), node_memory(1, 2, 1));
    EXPECT_EQ(t.bytes_owned_by(6), node_memory(2, 0, 1));
    ASSERT_TRUE(t.del("/a"));
    EXPECT_EQ(t.bytes_owned_by(5), 0u);
    EXPECT_EQ(t.bytes_owned_by(6), 0u);
    EXPECT_EQ(t.owned_by(5), 0u);
}

TEST(StoreTreeLayout, TransactionSnapshotSurvivesRemovalAndReuse)
{
    Tree t;
    Perms const p{Perm{0, ACCESS_NONE}};
    ASSERT_TRUE(t.put("/d", "", p));
    for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(t.put("/d/k" + std::to_string(i), "old" + std::to_string(i), p));
    Txn tx{t};
    ASSERT_TRUE(t.del("/d"));
    // New nodes reuse the removed slots; the transaction still sees the old ones.
    ASSERT_TRUE(t.put("/d", "fresh", p));
    for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(t.put("/d/n" + std::to_string(i), "new", p));
    for (int i = 0; i < 100; i += 9)
        ASSERT_EQ(tx.get("/d/k" + std::to_string(i))->value, "old" + std::to_string(i));
    EXPECT_EQ(tx.get("/d")->value, "");
    EXPECT_EQ(tx.get("/d/n0"), nullptr);
    std::vector<Op> journal;
    EXPECT_FALSE(tx.commit(t, journal).has_value()); // it read nodes that changed
}

TEST(StoreTreeLayout, TransactionCountsBytes)
{
    Tree t;
    Perms const d5{Perm{5, ACCESS_NONE}};
    ASSERT_TRUE(t.put("/a", "xx", d5));
    Txn tx{t};
    tx.put("/a/b", "value", d5);
    EXPECT_EQ(tx.bytes_owned_by(5), node_memory(1, 2, 1) + node_memory(1, 5, 1));
    tx.put("/a", "", d5);
    EXPECT_EQ(tx.bytes_owned_by(5), node_memory(1, 0, 1) + node_memory(1, 5, 1));
    tx.del("/a");
    EXPECT_EQ(tx.bytes_owned_by(5), 0u);
    EXPECT_EQ(t.bytes_owned_by(5), node_memory(1, 2, 1));
}

} // namespace
} // namespace dom::store
