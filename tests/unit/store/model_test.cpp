// SPDX-License-Identifier: MIT
// Pure model: paths, permissions, tree, transactions, watch matching.
#include "model/path.hpp"
#include "model/perms.hpp"
#include "model/tree.hpp"
#include "model/view.hpp"
#include "model/watch.hpp"

#include <gtest/gtest.h>

namespace dom::store
{

TEST(StorePath, ResolvesAbsoluteAndRelative)
{
    EXPECT_EQ(*resolve_path("/a/b", 3), "/a/b");
    EXPECT_EQ(*resolve_path("/", 3), "/");
    EXPECT_EQ(*resolve_path("dev/vif", 3), "/local/domain/3/dev/vif");
}

TEST(StorePath, RejectsInvalid)
{
    for (char const *p : {"", "/a//b", "/a/", "/a b", "/a\x01", "rel/", "/a/ü"})
        EXPECT_EQ(resolve_path(p, 0).error(), Err::INVAL) << p;
    EXPECT_EQ(resolve_path("/" + std::string(3100, 'a'), 0).error(), Err::TOOBIG);
    EXPECT_EQ(resolve_path(std::string(2100, 'a'), 0).error(), Err::TOOBIG);
}

TEST(StorePath, Ancestry)
{
    EXPECT_TRUE(path_within("/a/b", "/a"));
    EXPECT_TRUE(path_within("/a", "/a"));
    EXPECT_FALSE(path_within("/ab", "/a"));
    EXPECT_TRUE(path_within("/x", "/"));
    EXPECT_EQ(parent_path("/a"), "/");
    EXPECT_EQ(parent_path("/a/b"), "/a");
    EXPECT_EQ(path_depth("/"), 0u);
    EXPECT_EQ(path_depth("/a/b"), 2u);
    EXPECT_TRUE(special_path("@releaseDomain"));
    EXPECT_TRUE(special_path("@releaseDomain/5"));
    EXPECT_FALSE(special_path("@releaseDomain/x"));
    EXPECT_FALSE(special_path("@other"));
}

TEST(StorePerms, ParseAndFormat)
{
    EXPECT_EQ(*parse_perm("b12"), (Perm{12, ACCESS_BOTH}));
    for (char const *p : {"", "n", "x5", "r-1", "r5a", "r99999999999"})
        EXPECT_FALSE(parse_perm(p).has_value()) << p;
    std::string out;
    format_perms({{5, ACCESS_NONE}, {2, ACCESS_READ}}, out);
    EXPECT_EQ(out, std::string("n5\0r2\0", 6));
}

TEST(StorePerms, OwnerEntriesAndDefault)
{
    Perms const p{{5, ACCESS_NONE}, {2, ACCESS_READ}, {3, ACCESS_BOTH}};
    EXPECT_EQ(access_for(Caller{5, false, {}}, p), ACCESS_BOTH | ACCESS_OWNER);
    EXPECT_EQ(access_for(Caller{2, false, {}}, p), ACCESS_READ);
    EXPECT_EQ(access_for(Caller{3, false, {}}, p), ACCESS_BOTH);
    EXPECT_EQ(access_for(Caller{7, false, {}}, p), ACCESS_NONE);
    EXPECT_EQ(access_for(Caller{7, false, 5u}, p), ACCESS_BOTH | ACCESS_OWNER); // SET_TARGET
    EXPECT_EQ(access_for(Caller{0, true, {}}, p), ACCESS_BOTH | ACCESS_OWNER);
}

TEST(StoreTree, PutKeepsChildOrderAndDelRemovesSubtree)
{
    Tree t;
    Perms const p{{0, ACCESS_NONE}};
    ASSERT_TRUE(t.put("/b", "", p));
    ASSERT_TRUE(t.put("/a", "", p));
    ASSERT_TRUE(t.put("/a/x", "1", p));
    EXPECT_FALSE(t.put("/no/parent", "", p));
    EXPECT_EQ(child_names(t.find("/")->children), (std::vector<std::string>{"b", "a"}));
    EXPECT_TRUE(t.del("/a"));
    EXPECT_EQ(t.find("/a/x"), nullptr);
    EXPECT_EQ(child_names(t.find("/")->children), (std::vector<std::string>{"b"}));
    EXPECT_FALSE(t.del("/"));
    EXPECT_EQ(t.size(), 2u);
}

TEST(StoreTree, ChildListsAreNulSeparated)
{
    Bytes l;
    for (char const *n : {"a", "bb", "c", "bb2"})
        add_child(l, n);
    EXPECT_EQ(l, std::string("a\0bb\0c\0bb2\0", 11));
    EXPECT_TRUE(remove_child(l, "bb"));
    EXPECT_FALSE(remove_child(l, "b"));
    EXPECT_TRUE(remove_child(l, "a"));
    EXPECT_TRUE(remove_child(l, "bb2"));
    EXPECT_EQ(child_names(l), (std::vector<std::string>{"c"}));
    EXPECT_TRUE(remove_child(l, "c"));
    EXPECT_TRUE(l.empty());
    EXPECT_FALSE(remove_child(l, "c"));
}

TEST(StoreTree, CountsOwnedNodes)
{
    Tree t;
    ASSERT_TRUE(t.put("/a", "", {{7, ACCESS_NONE}}));
    ASSERT_TRUE(t.put("/a/b", "", {{7, ACCESS_NONE}}));
    EXPECT_EQ(t.owned_by(7), 2u);
    ASSERT_TRUE(t.put("/a/b", "", {{8, ACCESS_NONE}}));
    EXPECT_EQ(t.owned_by(7), 1u);
    ASSERT_TRUE(t.del("/a"));
    EXPECT_EQ(t.owned_by(7), 0u);
    EXPECT_EQ(t.owned_by(8), 0u);
}

TEST(StoreTxn, IsolatedUntilCommit)
{
    Tree t;
    Perms const p{{0, ACCESS_NONE}};
    Txn tx{t};
    tx.put("/k", "v", p);
    EXPECT_EQ(t.find("/k"), nullptr);
    ASSERT_NE(tx.get("/k"), nullptr);
    std::vector<Op> journal;
    ASSERT_TRUE(tx.commit(t, journal).has_value());
    EXPECT_EQ(t.find("/k")->value, "v");
    EXPECT_EQ(journal.size(), 1u);
}

TEST(StoreTxn, ConflictOnReadNodeChanged)
{
    Tree t;
    Perms const p{{0, ACCESS_NONE}};
    t.put("/k", "1", p);
    Txn tx{t};
    ASSERT_EQ(tx.get("/k")->value, "1");
    tx.put("/other", "x", p);
    t.put("/k", "2", p); // a write outside the transaction, after its read
    std::vector<Op> journal;
    EXPECT_EQ(tx.commit(t, journal).error(), Err::AGAIN);
    EXPECT_EQ(t.find("/other"), nullptr);
    EXPECT_TRUE(journal.empty());
}

TEST(StoreTxn, ReadsSeeTheSnapshotAtStart)
{
    Tree t;
    Perms const p{{0, ACCESS_NONE}};
    t.put("/a", "old", p);
    t.put("/gone", "g", p);
    Txn tx{t};
    ASSERT_EQ(tx.get("/a")->value, "old");
    t.put("/a", "new", p);
    t.del("/gone");
    t.put("/born", "", p);
    EXPECT_EQ(tx.get("/a")->value, "old");
    ASSERT_NE(tx.get("/gone"), nullptr);
    EXPECT_EQ(tx.get("/born"), nullptr);
    EXPECT_EQ(child_names(tx.get("/")->children), (std::vector<std::string>{"a", "gone"}));
    std::vector<Op> journal;
    EXPECT_EQ(tx.commit(t, journal).error(), Err::AGAIN);
}

TEST(StoreTxn, ConflictOnAbsentNodeCreated)
{
    Tree t;
    Txn tx{t};
    EXPECT_EQ(tx.get("/new"), nullptr);
    t.put("/new", "", {{0, ACCESS_NONE}});
    std::vector<Op> journal;
    EXPECT_EQ(tx.commit(t, journal).error(), Err::AGAIN);
}

TEST(StoreTxn, UnrelatedChangesDoNotConflict)
{
    Tree t;
    Perms const p{{0, ACCESS_NONE}};
    t.put("/a", "", p);
    t.put("/b", "", p);
    Txn tx{t};
    tx.put("/a", "1", p);
    t.put("/b", "2", p);
    std::vector<Op> journal;
    EXPECT_TRUE(tx.commit(t, journal).has_value());
    EXPECT_EQ(t.find("/a")->value, "1");
}

TEST(StoreTxn, DeleteInsideTransaction)
{
    Tree t;
    Perms const p{{0, ACCESS_NONE}};
    t.put("/a", "", p);
    t.put("/a/b", "", p);
    Txn tx{t};
    tx.del("/a");
    EXPECT_EQ(tx.get("/a/b"), nullptr);
    EXPECT_NE(t.find("/a/b"), nullptr);
    std::vector<Op> journal;
    ASSERT_TRUE(tx.commit(t, journal).has_value());
    EXPECT_EQ(t.find("/a"), nullptr);
    EXPECT_EQ(t.find("/a/b"), nullptr);
}

TEST(StoreWatch, EventPaths)
{
    Watch w{"/a", "/a", "tok", false, {}};
    EXPECT_EQ(*event_path(w, "/a/b/c", false, 0), "/a/b/c");
    EXPECT_FALSE(event_path(w, "/ab", false, 0).has_value());
    EXPECT_FALSE(event_path(w, "/", false, 0).has_value());
    EXPECT_EQ(*event_path(w, "/", true, 0), "/a"); // removing a parent fires with the watch path
    Watch d{"/a", "/a", "t", false, 1u};
    EXPECT_TRUE(event_path(d, "/a/b", false, 0).has_value());
    EXPECT_FALSE(event_path(d, "/a/b/c", false, 0).has_value());
    Watch rel{"/local/domain/4/dev", "dev", "t", true, {}};
    EXPECT_EQ(*event_path(rel, "/local/domain/4/dev/x", false, 4), "dev/x");
}

TEST(StoreWatch, SpecialEvents)
{
    Watch all{"@releaseDomain", "@releaseDomain", "t", false, {}};
    Watch deep{"@releaseDomain", "@releaseDomain", "t", false, 1u};
    Watch one{"@releaseDomain/5", "@releaseDomain/5", "t", false, {}};
    EXPECT_EQ(*special_event_path(all, "@releaseDomain", 5), "@releaseDomain");
    EXPECT_EQ(*special_event_path(deep, "@releaseDomain", 5), "@releaseDomain/5");
    EXPECT_EQ(*special_event_path(one, "@releaseDomain", 5), "@releaseDomain/5");
    EXPECT_FALSE(special_event_path(one, "@releaseDomain", 6).has_value());
    EXPECT_FALSE(special_event_path(all, "@introduceDomain", 5).has_value());
}

} // namespace dom::store
