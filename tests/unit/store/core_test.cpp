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
    EXPECT_EQ(d5.text(Msg::WATCH, z("c") + z("3")), "!E2BIG");
    d5.start();
    d5.start();
    EXPECT_EQ(d5.text(Msg::TRANSACTION_START, z("")), "!EAGAIN");
    EXPECT_EQ(d5.write("n1", ""), OK);
    EXPECT_EQ(d5.write("n2", ""), OK);
    EXPECT_EQ(d5.write("n3", ""), "!ENOSPC");
    EXPECT_EQ(d5.text(Msg::SET_PERMS, z("n1") + z("n5") + z("r1") + z("r2")), "!ENOSPC");
    EXPECT_EQ(d5.write("n1", std::string(3000, 'x')), "!E2BIG");
    // dom0 is not bound.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(d0.text(Msg::WATCH, z("/q") + z(std::to_string(i))), OK);
    EXPECT_EQ(d0.text(Msg::GET_QUOTA, z("watches")), z("2"));
    EXPECT_EQ(d0.text(Msg::SET_QUOTA, z("watches") + z("10")), OK);
    EXPECT_EQ(d5.text(Msg::WATCH, z("c") + z("3")), OK);
    EXPECT_EQ(d5.text(Msg::GET_QUOTA, z("watches")), "!EACCES");
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
