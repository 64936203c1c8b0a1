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

} // namespace
