// SPDX-License-Identifier: MIT
// The request core through its dispatch table: replies byte for byte, permissions between
// domains, transactions, watches, quotas and domain management (after mirage's server_test.ml
// and C xenstored's behaviour).
#include "capture_sink.hpp"

#include <gtest/gtest.h>

namespace dom::store::test
{

namespace
{

Caller const DOM0{0, true, {}};
Caller dom(uint32_t id)
{
    return Caller{id, false, {}};
}

} // namespace

TEST(StoreCore, ReadWriteAndImplicitParents)
{
    Core core;
    Peer p{core, DOM0};
    EXPECT_EQ(p.write("/a/b/c", "hello"), OK);
    EXPECT_EQ(p.read("/a/b/c"), "hello");
    EXPECT_EQ(p.read("/a/b"), "");
    EXPECT_EQ(p.read("/a/x"), "!ENOENT");
    EXPECT_EQ(p.text(Msg::DIRECTORY, z("/a")), z("b"));
    EXPECT_EQ(p.text(Msg::GET_PERMS, z("/a/b")), z("n0"));
}

TEST(StoreCore, ValuesAreRawBytes)
{
    Core core;
    Peer p{core, DOM0};
    std::string const v{"x\0y\n", 4};
    EXPECT_EQ(p.write("/v", v), OK);
    EXPECT_EQ(p.read("/v"), v);
}

TEST(StoreCore, DirectoryKeepsInsertionOrder)
{
    Core core;
    Peer p{core, DOM0};
    for (char const *n : {"/d/z", "/d/a", "/d/m"})
        ASSERT_EQ(p.write(n, ""), OK);
    EXPECT_EQ(p.text(Msg::DIRECTORY, z("/d")), std::string("z\0a\0m\0", 6));
}

TEST(StoreCore, DirectoryPartPagesThroughLargeDirectories)
{
    Core core;
    Peer p{core, DOM0};
    std::string all;
    for (int i = 0; i < 600; ++i) {
        std::string const name = "child-number-" + std::to_string(i);
        ASSERT_EQ(p.write("/big/" + name, ""), OK);
        all += z(name);
    }
    EXPECT_EQ(p.text(Msg::DIRECTORY, z("/big")), "!E2BIG");
    std::string got;
    for (int rounds = 0; rounds < 10; ++rounds) {
        auto const r = p.text(Msg::DIRECTORY_PART, z("/big") + z(std::to_string(got.size())));
        ASSERT_NE(r.front(), '!');
        auto const body = r.substr(r.find('\0') + 1);
        if (body.size() >= 2 && body.substr(body.size() - 2) == std::string("\0\0", 2)) {
            got += body.substr(0, body.size() - 1);
            break;
        }
        got += body;
    }
    EXPECT_EQ(got, all);
}

TEST(StoreCore, RemoveRules)
{
    Core core;
    Peer p{core, DOM0};
    ASSERT_EQ(p.write("/r/a/b", ""), OK);
    EXPECT_EQ(p.text(Msg::RM, z("/r/nothere")), OK); // parent exists
    EXPECT_EQ(p.text(Msg::RM, z("/none/nothere")), "!ENOENT");
    EXPECT_EQ(p.text(Msg::RM, z("/")), "!EINVAL");
    EXPECT_EQ(p.text(Msg::RM, z("/r/a")), OK);
    EXPECT_EQ(p.read("/r/a/b"), "!ENOENT");
}

TEST(StoreCore, MalformedRequests)
{
    Core core;
    Peer p{core, DOM0};
    EXPECT_EQ(p.text(Msg::READ, "/a"), "!EINVAL");             // unterminated
    EXPECT_EQ(p.text(Msg::READ, ""), "!EINVAL");               // empty
    EXPECT_EQ(p.text(Msg::READ, z("/a") + z("b")), "!EINVAL"); // extra argument
    EXPECT_EQ(p.text(Msg::READ, z("/a//b")), "!EINVAL");
    EXPECT_EQ(p.text(Msg::SET_PERMS, z("/") + z("q0")), "!EINVAL");
    EXPECT_EQ(p.text(Msg::TRANSACTION_END, z("T"), 999), "!ENOENT");
    EXPECT_EQ(p.text(Msg::READ, z("/"), 999), "!ENOENT"); // unknown transaction
    EXPECT_EQ(p.text(static_cast<Msg>(20), ""), "!ENOSYS");
    EXPECT_EQ(p.text(static_cast<Msg>(4242), ""), "!ENOSYS");
    EXPECT_EQ(p.text(Msg::WATCH_EVENT, ""), "!ENOSYS");
    EXPECT_EQ(p.text(Msg::GET_DOMAIN_PATH, z("x")), "!EINVAL");
    auto const m = p.call(Msg::READ, z("/nope"));
    EXPECT_EQ(m.type, static_cast<uint32_t>(Msg::ERROR));
    EXPECT_EQ(m.payload, z("ENOENT"));
}

TEST(StoreCore, UnprivilegedDomainsAreConfined)
{
    Core core;
    Peer d0{core, DOM0};
    Peer d5{core, dom(5)};
    ASSERT_EQ(d0.write("/local/domain/5/x", "1"), OK);
    ASSERT_EQ(d0.text(Msg::SET_PERMS, z("/local/domain/5") + z("n5")), OK);
    // Relative paths are under the domain's own path.
    EXPECT_EQ(d5.read("x"), "!EACCES"); // /x was created before the owner changed: n0
    EXPECT_EQ(d5.write("y", "2"), OK);
    EXPECT_EQ(d0.read("/local/domain/5/y"), "2");
    EXPECT_EQ(d0.text(Msg::GET_PERMS, z("/local/domain/5/y")), z("n5"));
    // Elsewhere: no access, and missing nodes under unreadable parents look forbidden.
    EXPECT_EQ(d5.write("/tool/x", "1"), "!EACCES");
    EXPECT_EQ(d5.read("/local/domain/0/nothere"), "!EACCES");
    EXPECT_EQ(d5.text(Msg::INTRODUCE, z("7") + z("1") + z("2")), "!EACCES");
    // Only the owner may set permissions, and cannot give the node away.
    EXPECT_EQ(d5.text(Msg::SET_PERMS, z("y") + z("n5") + z("r6")), OK);
    EXPECT_EQ(d5.text(Msg::SET_PERMS, z("y") + z("n6")), "!EPERM");
    Peer d6{core, dom(6)};
    EXPECT_EQ(d6.read("/local/domain/5/y"), "2");
    EXPECT_EQ(d6.write("/local/domain/5/y", "3"), "!EACCES");
    EXPECT_EQ(d6.text(Msg::SET_PERMS, z("/local/domain/5/y") + z("b6")), "!EACCES");
}

TEST(StoreCore, SetTargetGrantsOwnerRights)
{
    Core core;
    Peer d0{core, DOM0};
    ASSERT_EQ(d0.text(Msg::INTRODUCE, z("5") + z("100") + z("1")), OK);
    ASSERT_EQ(d0.text(Msg::INTRODUCE, z("9") + z("200") + z("1")), OK);
    ASSERT_EQ(d0.write("/local/domain/5/data", "v"), OK);
    ASSERT_EQ(d0.text(Msg::SET_PERMS, z("/local/domain/5/data") + z("n5")), OK);
    Peer d9{core, dom(9)};
    EXPECT_EQ(d9.read("/local/domain/5/data"), "!EACCES");
    ASSERT_EQ(d0.text(Msg::SET_TARGET, z("9") + z("5")), OK);
    EXPECT_EQ(d9.read("/local/domain/5/data"), "v");
}

TEST(StoreCore, TransactionsIsolateAndConflict)
{
    Core core;
    Peer a{core, DOM0};
    Peer b{core, DOM0};
    ASSERT_EQ(a.write("/t/n", "0"), OK);
    uint32_t const tx = a.start();
    EXPECT_EQ(a.read("/t/n", tx), "0");
    EXPECT_EQ(a.write("/t/n", "1", tx), OK);
    EXPECT_EQ(a.read("/t/n", tx), "1");
    EXPECT_EQ(b.read("/t/n"), "0"); // not visible outside before commit
    EXPECT_EQ(b.write("/t/n", "2"), OK);
    EXPECT_EQ(a.read("/t/n", tx), "1"); // still its own view
    EXPECT_EQ(a.end(tx, true), "!EAGAIN");
    EXPECT_EQ(a.read("/t/n"), "2");
    EXPECT_EQ(a.end(tx, true), "!ENOENT"); // the id is dead

    uint32_t const tx2 = a.start();
    EXPECT_EQ(a.write("/t/n", "3", tx2), OK);
    EXPECT_EQ(a.end(tx2, true), OK);
    EXPECT_EQ(b.read("/t/n"), "3");

    uint32_t const tx3 = a.start();
    EXPECT_EQ(a.write("/t/n", "4", tx3), OK);
    EXPECT_EQ(a.end(tx3, false), OK);
    EXPECT_EQ(b.read("/t/n"), "3");
    EXPECT_EQ(a.text(Msg::TRANSACTION_START, z(""), tx3), "!EBUSY");
}

TEST(StoreCore, IndependentTransactionsBothCommit)
{
    Core core;
    Peer a{core, DOM0};
    Peer b{core, DOM0};
    ASSERT_EQ(a.write("/x/a", ""), OK);
    ASSERT_EQ(a.write("/x/b", ""), OK);
    uint32_t const ta = a.start();
    uint32_t const tb = b.start();
    EXPECT_EQ(a.write("/x/a", "1", ta), OK);
    EXPECT_EQ(b.write("/x/b", "1", tb), OK);
    EXPECT_EQ(a.end(ta, true), OK);
    EXPECT_EQ(b.end(tb, true), OK);
}

TEST(StoreCore, WatchesFireOnChangesAndCommit)
{
    Core core;
    Peer w{core, DOM0};
    Peer p{core, DOM0};
    EXPECT_EQ(w.text(Msg::WATCH, z("/w") + z("tok")), OK);
    ASSERT_EQ(w.events.size(), 1u); // fires once at once
    EXPECT_EQ(w.events[0], z("/w") + z("tok"));
    w.events.clear();
    EXPECT_EQ(p.write("/w/a/b", "1"), OK);
    EXPECT_EQ(p.write("/other", "1"), OK);
    p.read("/w"); // no event for reads
    w.text(Msg::GET_DOMAIN_PATH, z("0"));
    ASSERT_EQ(w.events.size(), 1u);
    EXPECT_EQ(w.events[0], z("/w/a/b") + z("tok"));
    w.events.clear();

    uint32_t const tx = p.start();
    EXPECT_EQ(p.write("/w/c", "1", tx), OK);
    w.text(Msg::GET_DOMAIN_PATH, z("0"));
    EXPECT_TRUE(w.events.empty()); // not before commit
    EXPECT_EQ(p.end(tx, true), OK);
    w.text(Msg::GET_DOMAIN_PATH, z("0"));
    ASSERT_EQ(w.events.size(), 1u);
    w.events.clear();

    EXPECT_EQ(p.text(Msg::RM, z("/")), "!EINVAL");
    EXPECT_EQ(w.text(Msg::WATCH, z("/w/a/b") + z("deep")), OK);
    w.events.clear();
    EXPECT_EQ(p.text(Msg::RM, z("/w")), OK);
    w.text(Msg::GET_DOMAIN_PATH, z("0"));
    ASSERT_EQ(w.events.size(), 2u); // "/w" for tok, "/w/a/b" for the watch below
    EXPECT_EQ(w.text(Msg::WATCH, z("/w") + z("tok")), "!EEXIST");
    EXPECT_EQ(w.text(Msg::UNWATCH, z("/w") + z("tok")), OK);
    EXPECT_EQ(w.text(Msg::UNWATCH, z("/w") + z("tok")), "!ENOENT");
}

TEST(StoreCore, RelativeWatchesGetRelativePaths)
{
    Core core;
    Peer d0{core, DOM0};
    ASSERT_EQ(d0.write("/local/domain/4/dev", ""), OK);
    ASSERT_EQ(d0.text(Msg::SET_PERMS, z("/local/domain/4/dev") + z("b4")), OK);
    Peer d4{core, dom(4)};
    EXPECT_EQ(d4.text(Msg::WATCH, z("dev") + z("t")), OK);
    d4.events.clear();
    EXPECT_EQ(d0.write("/local/domain/4/dev/vif", "x"), OK);
    d4.text(Msg::GET_DOMAIN_PATH, z("4"));
    ASSERT_EQ(d4.events.size(), 1u);
    EXPECT_EQ(d4.events[0], z("dev/vif") + z("t"));
}

TEST(StoreCore, SpecialWatchesAndDomainLifecycle)
{
    Core core;
    Peer d0{core, DOM0};
    Peer d3{core, dom(3)};
    EXPECT_EQ(d0.text(Msg::WATCH, z("@introduceDomain") + z("i")), OK);
    EXPECT_EQ(d0.text(Msg::WATCH, z("@releaseDomain") + z("r")), OK);
    EXPECT_EQ(d3.text(Msg::WATCH, z("@releaseDomain") + z("r3")), OK);
    d0.events.clear();
    d3.events.clear();
    EXPECT_EQ(d0.text(Msg::IS_DOMAIN_INTRODUCED, z("7")), z("F"));
    EXPECT_EQ(d0.text(Msg::INTRODUCE, z("7") + z("-1") + z("3")), OK);
    EXPECT_EQ(d0.text(Msg::IS_DOMAIN_INTRODUCED, z("7")), z("T"));
    EXPECT_EQ(d0.text(Msg::INTRODUCE, z("7") + z("5") + z("3")), "!EEXIST");
    ASSERT_EQ(d0.events.size(), 1u);
    EXPECT_EQ(d0.events[0], z("@introduceDomain") + z("i"));
    // A domain's own nodes go when it is released.
    ASSERT_EQ(d0.write("/local/domain/7/x", ""), OK);
    ASSERT_EQ(d0.text(Msg::SET_PERMS, z("/local/domain/7") + z("n7")), OK);
    EXPECT_EQ(d0.text(Msg::RESUME, z("7")), OK);
    EXPECT_EQ(d0.text(Msg::RELEASE, z("7")), OK);
    EXPECT_EQ(d0.read("/local/domain/7"), "!ENOENT");
    EXPECT_EQ(d0.text(Msg::RELEASE, z("7")), "!ENOENT");
    EXPECT_EQ(d0.text(Msg::RESUME, z("7")), "!ENOENT");
    d0.text(Msg::GET_DOMAIN_PATH, z("0"));
    EXPECT_EQ(d0.events.back(), z("@releaseDomain") + z("r"));
    // dom3 may not hear special events until granted.
    d3.text(Msg::GET_DOMAIN_PATH, z("3"));
    EXPECT_TRUE(d3.events.empty());
    EXPECT_EQ(d0.text(Msg::SET_PERMS, z("@releaseDomain") + z("n0") + z("r3")), OK);
    EXPECT_EQ(d0.text(Msg::GET_PERMS, z("@releaseDomain")), z("n0") + z("r3"));
    EXPECT_EQ(d0.text(Msg::INTRODUCE, z("8") + z("1") + z("3")), OK);
    EXPECT_EQ(d0.text(Msg::RELEASE, z("8")), OK);
    d3.text(Msg::GET_DOMAIN_PATH, z("3"));
    ASSERT_EQ(d3.events.size(), 1u);
}

TEST(StoreCore, QuotasBindUnprivilegedDomains)
{
    Core_options o;
    o.quotas.watches = 2;
    o.quotas.transactions = 2;
    o.quotas.nodes = 3;
    o.quotas.node_permissions = 2;
    Core core{o};
    Peer d0{core, DOM0};
    ASSERT_EQ(d0.write("/local/domain/5", ""), OK);
    ASSERT_EQ(d0.text(Msg::SET_PERMS, z("/local/domain/5") + z("n5")), OK); // dom5 owns 1
    Peer d5{core, dom(5)};
    EXPECT_EQ(d5.text(Msg::WATCH, z("a") + z("1")), OK);
    EXPECT_EQ(d5.text(Msg::WATCH, z("b") + z("2")), OK);
    EXPECT_EQ(d5.text(Msg::WATCH, z("c") + z("3")), "!ENOSPC");
    d5.start();
    d5.start();
    EXPECT_EQ(d5.text(Msg::TRANSACTION_START, z("")), "!ENOSPC");
    EXPECT_EQ(d5.write("n1", ""), OK);
    EXPECT_EQ(d5.write("n2", ""), OK);
    EXPECT_EQ(d5.write("n3", ""), "!ENOSPC");
    EXPECT_EQ(d5.text(Msg::SET_PERMS, z("n1") + z("n5") + z("r1") + z("r2")), "!ENOSPC");
    EXPECT_EQ(d5.write("n1", std::string(3000, 'x')), "!ENOSPC");
    // dom0 is not bound.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(d0.text(Msg::WATCH, z("/q") + z(std::to_string(i))), OK);
    EXPECT_EQ(d0.text(Msg::GET_QUOTA, z("watches")), z("2"));
    EXPECT_EQ(d0.text(Msg::SET_QUOTA, z("watches") + z("10")), OK);
    EXPECT_EQ(d5.text(Msg::WATCH, z("c") + z("3")), OK);
    EXPECT_EQ(d5.text(Msg::GET_QUOTA, z("watches")), "!EACCES");
    EXPECT_EQ(d5.text(Msg::SET_QUOTA, z("5") + z("watches") + z("99")), "!EACCES");
}

namespace
{

// dom0 plus domains 5 and 6, each introduced and owning its home directory.
struct Two_domains
{
    explicit Two_domains(Core_options o = {}) : core{o}
    {
        for (uint32_t d : {5u, 6u}) {
            std::string const home = "/local/domain/" + std::to_string(d);
            EXPECT_EQ(d0.write(home, ""), OK);
            EXPECT_EQ(d0.text(Msg::SET_PERMS, z(home) + z("n" + std::to_string(d))), OK);
            EXPECT_EQ(d0.text(Msg::INTRODUCE, z(std::to_string(d)) + z("1") + z("1")), OK);
        }
    }
    Core core;
    Peer d0{core, DOM0};
    Peer d5{core, dom(5)};
    Peer d6{core, dom(6)};
};

} // namespace

TEST(StoreCoreQuota, DefaultsAreXens)
{
    Quotas const q;
    EXPECT_EQ(q.nodes, 1000u);
    EXPECT_EQ(q.watches, 128u);
    EXPECT_EQ(q.outstanding, 20u);
    EXPECT_EQ(q.transactions, 10u);
    EXPECT_EQ(q.transaction_nodes, 1024u);
    EXPECT_EQ(q.node_permissions, 5u);
    EXPECT_EQ(q.path_max, 2048u);
    EXPECT_EQ(q.node_size, 2048u);
    EXPECT_EQ(q.memory, 2621440u); // C xenstored's hard memory quota, 2.5 MiB
}

// The memory quota counts node_memory() bytes (16 + 8 per permission + value + name + 1) of
// the nodes a domain owns, charged to the owner; ENOSPC when over, as C xenstored.
TEST(StoreCoreQuota, MemoryCountsNodeBytesPerOwningDomain)
{
    Core_options o;
    o.quotas.memory = 200; // each home directory "/local/domain/N" already holds 26 bytes
    Two_domains t{o};
    EXPECT_EQ(t.d5.write("a", std::string(148, 'x')), OK); // 26 + 26 + 148 = 200
    EXPECT_EQ(t.d5.write("a", std::string(149, 'x')), "!ENOSPC");
    EXPECT_EQ(t.d5.write("b", ""), "!ENOSPC"); // a new node: 26 more
    EXPECT_EQ(t.d5.text(Msg::MKDIR, z("c")), "!ENOSPC");
    EXPECT_EQ(t.d5.read("a"), std::string(148, 'x'));
    // dom6 is not affected by dom5 being at its limit.
    EXPECT_EQ(t.d6.write("a", std::string(148, 'x')), OK);
    // Shrinking a value frees bytes; so does removing a node.
    EXPECT_EQ(t.d5.write("a", std::string(100, 'x')), OK);
    EXPECT_EQ(t.d5.write("b", ""), OK);                                   // 26 + 126 + 26 = 178
    EXPECT_EQ(t.d5.text(Msg::SET_PERMS, z("b") + z("n5") + z("r6")), OK); // + 8 = 186
    EXPECT_EQ(t.d5.text(Msg::SET_PERMS, z("b") + z("n5") + z("r6") + z("r7") + z("r8")),
              "!ENOSPC"); // + 16 more = 202
    EXPECT_EQ(t.d5.text(Msg::RM, z("a")), OK);
    EXPECT_EQ(t.d5.write("c/d", std::string(50, 'y')), OK);
    // Inside a transaction the same accounting applies, over the transaction's own changes.
    uint32_t const tx = t.d5.start();
    EXPECT_EQ(t.d5.write("e", std::string(60, 'z'), tx), "!ENOSPC");
    EXPECT_EQ(t.d5.text(Msg::RM, z("c"), tx), OK);
    EXPECT_EQ(t.d5.write("e", std::string(60, 'z'), tx), OK);
    EXPECT_EQ(t.d5.end(tx, true), OK);
    EXPECT_EQ(t.d5.read("e"), std::string(60, 'z'));
    // Privileged callers are exempt; SET_QUOTA changes one domain's limit.
    EXPECT_EQ(t.d0.write("/local/domain/5/big", std::string(1000, 'x')), OK);
    EXPECT_EQ(t.d5.write("f", ""), "!ENOSPC");
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("5") + z("memory") + z("0")), OK); // 0 = off
    EXPECT_EQ(t.d5.write("f", std::string(2000, 'x')), OK);
    EXPECT_EQ(t.d6.write("f", ""), "!ENOSPC");
}

TEST(StoreCoreQuota, WatchesCountPerDomainAcrossConnections)
{
    Core_options o;
    o.quotas.watches = 3;
    Two_domains t{o};
    Peer d5b{t.core, dom(5)}; // a second connection of dom5 shares its quota
    EXPECT_EQ(t.d5.text(Msg::WATCH, z("a") + z("1")), OK);
    EXPECT_EQ(t.d5.text(Msg::WATCH, z("b") + z("2")), OK);
    EXPECT_EQ(d5b.text(Msg::WATCH, z("c") + z("3")), OK);
    EXPECT_EQ(d5b.text(Msg::WATCH, z("d") + z("4")), "!ENOSPC");
    EXPECT_EQ(t.d5.text(Msg::WATCH, z("d") + z("4")), "!ENOSPC");
    // dom6 at the same time is not affected by dom5 being at its limit.
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(t.d6.text(Msg::WATCH, z("w") + z(std::to_string(i))), OK) << i;
    EXPECT_EQ(t.d6.text(Msg::WATCH, z("w") + z("3")), "!ENOSPC");
    // Removing one frees one.
    EXPECT_EQ(t.d5.text(Msg::UNWATCH, z("a") + z("1")), OK);
    EXPECT_EQ(d5b.text(Msg::WATCH, z("d") + z("4")), OK);
}

TEST(StoreCoreQuota, TransactionsCountPerDomain)
{
    Core_options o;
    o.quotas.transactions = 2;
    Two_domains t{o};
    Peer d5b{t.core, dom(5)};
    uint32_t const tx = t.d5.start();
    ASSERT_NE(tx, 0u);
    ASSERT_NE(d5b.start(), 0u);
    EXPECT_EQ(t.d5.text(Msg::TRANSACTION_START, z("")), "!ENOSPC");
    EXPECT_EQ(d5b.text(Msg::TRANSACTION_START, z("")), "!ENOSPC");
    EXPECT_NE(t.d6.start(), 0u);
    EXPECT_NE(t.d6.start(), 0u);
    EXPECT_EQ(t.d6.text(Msg::TRANSACTION_START, z("")), "!ENOSPC");
    EXPECT_EQ(t.d5.end(tx, false), OK);
    EXPECT_NE(t.d5.start(), 0u);
    // Privileged callers are exempt.
    for (int i = 0; i < 5; ++i)
        EXPECT_NE(t.d0.start(), 0u);
}

TEST(StoreCoreQuota, NodesCountPerOwningDomain)
{
    Core_options o;
    o.quotas.nodes = 3; // each home directory already counts as one
    Two_domains t{o};
    EXPECT_EQ(t.d5.write("a", ""), OK);
    EXPECT_EQ(t.d5.write("b", ""), OK);
    EXPECT_EQ(t.d5.write("c", ""), "!ENOSPC");
    EXPECT_EQ(t.d5.write("x/y", ""), "!ENOSPC"); // two new nodes
    EXPECT_EQ(t.d6.write("a", ""), OK);
    EXPECT_EQ(t.d6.write("b", ""), OK);
    EXPECT_EQ(t.d6.write("c", ""), "!ENOSPC");
    EXPECT_EQ(t.d5.text(Msg::RM, z("a")), OK);
    EXPECT_EQ(t.d5.write("c", ""), OK);
    // Updating an existing node creates nothing.
    EXPECT_EQ(t.d5.write("c", "v"), OK);
}

TEST(StoreCoreQuota, NodeSizeCountsValuePermissionsAndChildren)
{
    Core_options o;
    o.quotas.node_size = 100; // 16 header + 8 per permission + value + child names
    Two_domains t{o};
    EXPECT_EQ(t.d5.write("v", std::string(76, 'x')), OK); // 16 + 8 + 76 = 100
    EXPECT_EQ(t.d5.write("v", std::string(77, 'x')), "!ENOSPC");
    EXPECT_EQ(t.d5.write("w", std::string(77, 'x')), "!ENOSPC"); // also on creation
    EXPECT_EQ(t.d5.read("w"), "!ENOENT");
    EXPECT_EQ(t.d5.text(Msg::SET_PERMS, z("v") + z("n5") + z("r6")), "!ENOSPC"); // 108
    EXPECT_EQ(t.d5.write("p/child", ""), OK); // p's children: "child\0" = 6 bytes
    EXPECT_EQ(t.d5.write("p", std::string(70, 'x')), OK);
    EXPECT_EQ(t.d5.write("p", std::string(71, 'x')), "!ENOSPC");
    EXPECT_EQ(t.d6.write("v", std::string(76, 'x')), OK);
    EXPECT_EQ(t.d0.write("/local/domain/5/v", std::string(4000, 'x')), OK); // exempt
}

TEST(StoreCoreQuota, PathMaxAppliesBelowTheDomainHome)
{
    Core_options o;
    o.quotas.path_max = 20;
    Two_domains t{o};
    std::string const ok(20, 'a');
    EXPECT_EQ(t.d5.write(ok, ""), OK);
    EXPECT_EQ(t.d5.write("/local/domain/5/" + ok, "1"), OK); // the same, absolute
    EXPECT_EQ(t.d5.write(ok + "b", ""), "!EINVAL");
    EXPECT_EQ(t.d5.read(ok + "b"), "!EINVAL");
    EXPECT_EQ(t.d5.text(Msg::WATCH, z(ok + "b") + z("t")), "!EINVAL");
    EXPECT_EQ(t.d0.write("/local/domain/5/" + ok + "b", ""), OK); // exempt
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("5") + z("path-max") + z("30")), OK);
    EXPECT_EQ(t.d5.write(ok + "c", ""), OK);
    EXPECT_EQ(t.d6.write(ok + "c", ""), "!EINVAL"); // dom6 keeps 20
}

TEST(StoreCoreQuota, TransactionNodesPerDomainSetting)
{
    Core_options o;
    o.quotas.transaction_nodes = 3; // a write touches the node and its parent
    Two_domains t{o};
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("6") + z("transaction-nodes") + z("10")), OK);
    uint32_t const t5 = t.d5.start();
    uint32_t const t6 = t.d6.start();
    EXPECT_EQ(t.d5.write("a", "", t5), OK);
    EXPECT_EQ(t.d5.write("b", "", t5), OK);
    EXPECT_EQ(t.d5.write("c", "", t5), "!ENOSPC");
    for (char const *n : {"a", "b", "c", "d"})
        EXPECT_EQ(t.d6.write(n, "", t6), OK) << n;
}

TEST(StoreCoreQuota, SetQuotaPerDomainOverridesGlobal)
{
    Core_options o;
    o.quotas.watches = 2;
    Two_domains t{o};
    // Names and values.
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, ""), z(std::string{QUOTA_NAMES}));
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("5") + z("watches")), z("2"));
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("5") + z("watches") + z("4")), OK);
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("5") + z("watches")), z("4"));
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("6") + z("watches")), z("2"));
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("watches")), z("2"));
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(t.d5.text(Msg::WATCH, z("a") + z(std::to_string(i))), OK) << i;
    EXPECT_EQ(t.d5.text(Msg::WATCH, z("a") + z("4")), "!ENOSPC");
    EXPECT_EQ(t.d6.text(Msg::WATCH, z("a") + z("0")), OK);
    EXPECT_EQ(t.d6.text(Msg::WATCH, z("a") + z("1")), OK);
    EXPECT_EQ(t.d6.text(Msg::WATCH, z("a") + z("2")), "!ENOSPC");
    // The global value is the default of domains introduced later; introduced ones keep theirs.
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("watches") + z("7")), OK);
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("6") + z("watches")), z("2"));
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("9") + z("watches")), z("7"));
    // 0 disables the check for that domain.
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("6") + z("watches") + z("0")), OK);
    EXPECT_EQ(t.d6.text(Msg::WATCH, z("a") + z("2")), OK);
    // Bad requests.
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("5") + z("bogus") + z("1")), "!EINVAL");
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("watches") + z("x")), "!EINVAL");
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("watches") + z("4294967295")), "!EINVAL");
    EXPECT_EQ(t.d0.text(Msg::SET_QUOTA, z("x5") + z("watches") + z("1")), "!EINVAL");
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("5") + z("bogus")), "!EINVAL");
    // RELEASE forgets the domain's own quotas; a new introduction starts from the global ones.
    EXPECT_EQ(t.d0.text(Msg::RELEASE, z("5")), OK);
    EXPECT_EQ(t.d0.text(Msg::GET_QUOTA, z("5") + z("watches")), z("7"));
}

TEST(StoreCore, ResetWatchesDropsWatchesAndTransactions)
{
    Core core;
    Peer p{core, DOM0};
    ASSERT_EQ(p.text(Msg::WATCH, z("/a") + z("t")), OK);
    uint32_t const tx = p.start();
    EXPECT_EQ(p.text(Msg::RESET_WATCHES, z("")), OK);
    EXPECT_EQ(p.end(tx, true), "!ENOENT");
    EXPECT_EQ(p.text(Msg::UNWATCH, z("/a") + z("t")), "!ENOENT");
}

} // namespace dom::store::test
