// SPDX-License-Identifier: MIT
// The kernel's ACM hooks (docs/channels.md §5). One process-wide Guard: the tests run in order,
// built-in policy first, then the desktop example policy.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fake_kernel.hpp"
#include "hv/acm/guard.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/channels.hpp"
#include "ward/policy/policy.hpp"

namespace
{

using namespace hv;
using namespace hv::kernel;

std::span<char const> text(char const *s)
{
    return {s, std::strlen(s)};
}

void set_label(Domain &d, char const *l)
{
    d.label.length = std::strlen(l);
    std::memcpy(d.label.chars.data(), l, d.label.length + 1);
}

std::vector<std::byte> policy_bytes()
{
    std::ifstream in(WARD_TEST_POLICY, std::ios::binary);
    std::vector<char> raw{std::istreambuf_iterator<char>(in), {}};
    std::vector<std::byte> out(raw.size());
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
}

TEST(AcmHooks, PolicyModuleIsRecognisedByItsTypeToken)
{
    EXPECT_TRUE(is_policy_module(text("type=policy")));
    EXPECT_TRUE(is_policy_module(text("name=p  type=policy")));
    EXPECT_FALSE(is_policy_module(text("type=policyx")));
    EXPECT_FALSE(is_policy_module(text("name=x -- type=policy"))); // the guest's own cmdline
    EXPECT_FALSE(is_policy_module(text("")));
}

TEST(AcmHooks, BuiltInPolicySharesOnlyEqualLabels)
{
    test::Test_domain a{2ull << 20, {}, "a"}, b{2ull << 20, {}, "b"}, c{2ull << 20, {}, "c"};
    set_label(a.d(), "personal");
    set_label(b.d(), "personal");
    set_label(c.d(), "work");
    uint32_t idx = 0;
    EXPECT_TRUE(acm_admit(a.d(), idx)); // no Chinese Wall without a policy
    EXPECT_EQ(idx, acm::NO_LABEL);
    test::log_text().clear();
    EXPECT_TRUE(acm_share(a.d(), b.d(), "event channel bind"));
    EXPECT_TRUE(test::log_text().empty());
    EXPECT_FALSE(acm_share(a.d(), c.d(), "grant map"));
    EXPECT_NE(test::log_text().find("denied grant map between domain"), std::string::npos);
    EXPECT_NE(test::log_text().find("(label personal)"), std::string::npos);
    EXPECT_NE(test::log_text().find("(label work): different labels (built-in policy)"),
              std::string::npos);
}

TEST(AcmHooks, RefusedPolicyLeavesTheBuiltInOneInForce)
{
    auto bytes = policy_bytes();
    ASSERT_GT(bytes.size(), 128u);
    bytes[bytes.size() / 2] ^= std::byte{1}; // digest mismatch
    uint64_t const gen = acm_generation();
    test::log_text().clear();
    EXPECT_FALSE(acm_reload(bytes));
    EXPECT_NE(test::log_text().find("policy refused"), std::string::npos);
    EXPECT_EQ(acm_generation(), gen);
    test::Test_domain a{2ull << 20, {}, "a"}, c{2ull << 20, {}, "c"};
    set_label(a.d(), "personal");
    set_label(c.d(), "personal");
    EXPECT_TRUE(acm_share(a.d(), c.d(), "bind"));
}

TEST(AcmHooks, PolicyDecidesShareAndChineseWallAndReloadBumpsTheGeneration)
{
    auto const bytes = policy_bytes();
    uint64_t const gen0 = acm_generation();
    ASSERT_TRUE(acm_reload(bytes));
    EXPECT_GT(acm_generation(), gen0);

    test::Test_domain p1{2ull << 20, {}, "p1"}, p2{2ull << 20, {}, "p2"}, w{2ull << 20, {}, "w"};
    set_label(p1.d(), "personal");
    set_label(p2.d(), "personal");
    set_label(w.d(), "work");
    for (auto *t : {&p1, &p2, &w})
        ASSERT_TRUE(acm_admit(t->d(), channels(t->d()).acm_label));
    EXPECT_TRUE(acm_share(p1.d(), p2.d(), "event channel bind"));
    test::log_text().clear();
    EXPECT_FALSE(acm_share(p1.d(), w.d(), "event channel bind"));
    EXPECT_NE(test::log_text().find("(label work): no common STE type"), std::string::npos)
        << test::log_text();
    // Cached decisions: the same answers again; a reload (same policy) revokes the cache and
    // relabels the running domains, and the answers stay the same.
    EXPECT_FALSE(acm_share(p1.d(), w.d(), "grant map"));
    uint64_t const gen1 = acm_generation();
    ASSERT_TRUE(acm_reload(bytes));
    EXPECT_EQ(acm_generation(), gen1 + 1);
    EXPECT_TRUE(acm_share(p1.d(), p2.d(), "grant map"));
    EXPECT_FALSE(acm_share(w.d(), p2.d(), "grant map"));

    // A label the policy does not know: refused at start.
    test::Test_domain x{2ull << 20, {}, "x"};
    set_label(x.d(), "nonesuch");
    uint32_t idx = 0;
    test::log_text().clear();
    EXPECT_FALSE(acm_admit(x.d(), idx));
    EXPECT_NE(test::log_text().find("label 'nonesuch' is not in the policy"), std::string::npos);

    // Chinese Wall: banking and untrusted never run together; after banking stops, untrusted
    // may start.
    test::Test_domain bank{2ull << 20, {}, "bank"}, shady{2ull << 20, {}, "shady"};
    set_label(bank.d(), "banking");
    set_label(shady.d(), "untrusted");
    ASSERT_TRUE(acm_admit(bank.d(), channels(bank.d()).acm_label));
    test::log_text().clear();
    EXPECT_FALSE(acm_admit(shady.d(), idx));
    EXPECT_NE(test::log_text().find("refused: Chinese Wall conflict with a running domain "
                                    "labelled banking (conflict set banking_alone)"),
              std::string::npos)
        << test::log_text();
    acm_release(bank.d(), channels(bank.d()).acm_label);
    channels(bank.d()).acm_label = acm::NO_LABEL;
    EXPECT_TRUE(acm_admit(shady.d(), idx));
    acm_release(shady.d(), idx);
    for (auto *t : {&p1, &p2, &w})
        acm_release(t->d(), channels(t->d()).acm_label);
}

// Run-time reload (docs/policy.md §1.1): variants of the desktop policy, compiled here.
std::string desktop_xml()
{
    std::ifstream in(WARD_TEST_SOURCE_DIR "/domains/policy/examples/desktop.xml");
    return std::string{std::istreambuf_iterator<char>(in), {}};
}

std::string replaced(std::string s, std::string const &from, std::string const &to)
{
    auto const at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

std::vector<std::byte> compiled(std::string const &xml)
{
    auto p = ward::policy::Policy::from_xml(xml, "test.xml");
    EXPECT_TRUE(p.has_value());
    if (!p)
        return {};
    return {p->binary().begin(), p->binary().end()};
}

TEST(AcmHooks, ReloadThatWouldBreakTheNewChineseWallIsRefused)
{
    ASSERT_TRUE(acm_reload(policy_bytes()));
    test::Test_domain p{2ull << 20, {}, "home"}, w{2ull << 20, {}, "office"};
    set_label(p.d(), "personal");
    set_label(w.d(), "work");
    ASSERT_TRUE(acm_admit(p.d(), channels(p.d()).acm_label));
    ASSERT_TRUE(acm_admit(w.d(), channels(w.d()).acm_label));
    auto const walled = compiled(replaced(desktop_xml(), "    </ConflictSets>",
                                          "      <Conflict name=\"home_or_office\">\n"
                                          "        <Type>cw_personal</Type>\n"
                                          "        <Type>cw_work</Type>\n"
                                          "      </Conflict>\n    </ConflictSets>"));
    uint64_t const gen = acm_generation();
    test::log_text().clear();
    auto const r = acm_reload(walled);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Reload_error::WALL_CONFLICT);
    EXPECT_EQ(acm_generation(), gen);
    EXPECT_NE(test::log_text().find("'home' (label personal) and domain"), std::string::npos)
        << test::log_text();
    EXPECT_NE(test::log_text().find("'office' (label work) run together but conflict in set "
                                    "home_or_office; policy 'ward-desktop' stays in force"),
              std::string::npos)
        << test::log_text();
    // The old policy still decides: home and office still coexist, still do not share.
    EXPECT_FALSE(acm_share(p.d(), w.d(), "grant map"));
    // With the office domain gone the same policy loads.
    acm_release(w.d(), channels(w.d()).acm_label);
    w.d().state = Domain_state::SHUTDOWN;
    auto const ok = acm_reload(walled);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->unlabelled, 0u);
    EXPECT_EQ(ok->revoked, 0u);
    w.d().state = Domain_state::RUNNABLE;
    uint32_t idx = 0;
    test::log_text().clear();
    EXPECT_FALSE(acm_admit(w.d(), idx)); // now the wall keeps it out at start
    EXPECT_NE(test::log_text().find("Chinese Wall conflict"), std::string::npos);
    acm_release(p.d(), channels(p.d()).acm_label);
    ASSERT_TRUE(acm_reload(policy_bytes()));
}

TEST(AcmHooks, DomainWhoseLabelVanishesKeepsRunningAndSharesWithNoOne)
{
    ASSERT_TRUE(acm_reload(policy_bytes()));
    test::Test_domain a{2ull << 20, {}, "a"}, b{2ull << 20, {}, "b"}, g{2ull << 20, {}, "g"};
    set_label(a.d(), "work");
    set_label(b.d(), "work");
    set_label(g.d(), "gui");
    for (auto *t : {&a, &b, &g})
        ASSERT_TRUE(acm_admit(t->d(), channels(t->d()).acm_label));
    EXPECT_TRUE(acm_share(a.d(), b.d(), "event channel bind"));
    EXPECT_TRUE(acm_link_allowed(a.d(), g.d()));
    auto const shrunk = compiled(replaced(
        desktop_xml(),
        "      <VirtualMachineLabel>\n        <Name>work</Name>\n"
        "        <SimpleTypeEnforcementTypes><Type>ste_work</Type></SimpleTypeEnforcementTypes>\n"
        "        <ChineseWallTypes><Type>cw_work</Type></ChineseWallTypes>\n"
        "      </VirtualMachineLabel>\n",
        ""));
    test::log_text().clear();
    auto const r = acm_reload(shrunk);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->unlabelled, 2u);
    EXPECT_EQ(channels(a.d()).acm_label, acm::NO_LABEL);
    EXPECT_NE(channels(g.d()).acm_label, acm::NO_LABEL);
    EXPECT_NE(test::log_text().find("domain " + std::to_string(a.d().id) +
                                    " 'a': label work is not in the new policy; it keeps "
                                    "running and may share with no one"),
              std::string::npos)
        << test::log_text();
    EXPECT_TRUE(a.d().alive());
    // The cached "allow" of a-b is gone with the generation; even equal (vanished) labels fail.
    EXPECT_FALSE(acm_share(a.d(), b.d(), "event channel bind"));
    EXPECT_FALSE(acm_link_allowed(a.d(), g.d()));
    for (auto *t : {&a, &b, &g})
        acm_release(t->d(), channels(t->d()).acm_label);
    ASSERT_TRUE(acm_reload(policy_bytes()));
}

TEST(AcmHooks, GrantTableIsChargedToTheDomainsAccount)
{
    test::Test_domain d{2ull << 20, {}, "tight"};
    set_label(d.d(), "personal");
    // No room for the grant table's two frames: refused before anything is allocated.
    d.d().account = Memory_account{1};
    test::log_text().clear();
    EXPECT_FALSE(channels_domain_started(d.d()));
    EXPECT_NE(test::log_text().find("its grant table (2 frames) is over its memory account (0 "
                                    "of 1 frames in use)"),
              std::string::npos)
        << test::log_text();
    EXPECT_EQ(d.d().account.used(), 0u);
    // Room for it, but no host memory (the fake allocator has none): the charge is undone.
    d.d().account = Memory_account{2};
    test::log_text().clear();
    EXPECT_FALSE(channels_domain_started(d.d()));
    EXPECT_NE(test::log_text().find("no memory for its grant table"), std::string::npos)
        << test::log_text();
    EXPECT_EQ(d.d().account.used(), 0u);
    EXPECT_EQ(d.d().account.peak(), 2u); // it was charged first
}

} // namespace
