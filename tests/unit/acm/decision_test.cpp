// SPDX-License-Identifier: MIT
// The decisions on the desktop example policy, each computed by hand from
// domains/policy/examples/desktop.xml; Chinese Wall tracking; the decision cache and its
// generation; carrying labels across a policy change.
#include <gtest/gtest.h>

#include <vector>

#include "fixture.hpp"
#include "hv/acm/decision.hpp"
#include "hv/acm/decision_cache.hpp"
#include "hv/acm/guard.hpp"
#include "hv/acm/running_types.hpp"

namespace
{

using namespace acm_test;
using hv::acm::Decision;
using hv::acm::Reason;

class Decisions : public ::testing::Test
{
  protected:
    Decisions() : policy_{compile(desktop_xml())}, v_{policy_.view()} {}

    uint32_t l(char const *name) const { return acm_test::label(v_, name); }
    Decision share(char const *a, char const *b) const
    {
        return hv::acm::decide_share(v_, l(a), l(b));
    }
    Decision use(char const *d, char const *r) const { return hv::acm::decide_use(v_, l(d), l(r)); }
    Decision coexist(char const *a, char const *b) const
    {
        return hv::acm::decide_coexist(v_, l(a), l(b));
    }

    ward::policy::Policy policy_;
    hv::acm::Policy_view const &v_;
};

TEST_F(Decisions, ShareNeedsACommonSteType)
{
    // personal {ste_personal}, gui {display, personal, work, banking, untrusted, input}.
    auto d = share("personal", "gui");
    EXPECT_TRUE(d.allow);
    EXPECT_EQ(d.reason, Reason::COMMON_TYPE);
    EXPECT_EQ(d.type_a, ste_type(v_, "ste_personal"));
    // The first common type in name order decides: banking < display < ... in the gui label.
    d = share("store", "gui");
    EXPECT_TRUE(d.allow);
    EXPECT_EQ(d.type_a, ste_type(v_, "ste_banking"));
    EXPECT_TRUE(share("input", "gui").allow);
    EXPECT_EQ(share("input", "gui").type_a, ste_type(v_, "ste_input"));
    EXPECT_TRUE(share("personal", "personal").allow);
    EXPECT_TRUE(share("banking", "vtpm").allow);

    EXPECT_FALSE(share("personal", "work").allow);
    EXPECT_EQ(share("personal", "work").reason, Reason::NO_COMMON_TYPE);
    EXPECT_FALSE(share("banking", "untrusted").allow);
    EXPECT_FALSE(share("input", "personal").allow);
    EXPECT_FALSE(share("untrusted", "vtpm").allow); // the vTPM serves no untrusted domain
}

TEST_F(Decisions, ShareIsSymmetric)
{
    for (uint32_t a = 0; a < v_.label_count(); ++a)
        for (uint32_t b = 0; b < v_.label_count(); ++b) {
            auto const x = hv::acm::decide_share(v_, a, b);
            auto const y = hv::acm::decide_share(v_, b, a);
            EXPECT_EQ(x.allow, y.allow);
            EXPECT_EQ(x.type_a, y.type_a);
        }
}

TEST_F(Decisions, UseNeedsTheResourceType)
{
    EXPECT_TRUE(use("banking", "vtpm_banking").allow);
    EXPECT_TRUE(use("gui", "gpu").allow);
    EXPECT_TRUE(use("input", "keyboard").allow);
    EXPECT_TRUE(use("personal", "disk_personal").allow);
    EXPECT_FALSE(use("personal", "vtpm_banking").allow);
    EXPECT_FALSE(use("untrusted", "disk_banking").allow);
    EXPECT_FALSE(use("personal", "gpu").allow);
}

TEST_F(Decisions, KindsAreChecked)
{
    EXPECT_EQ(use("disk_personal", "personal").reason, Reason::NOT_A_DOMAIN);
    EXPECT_EQ(use("personal", "work").reason, Reason::NOT_A_RESOURCE);
    EXPECT_EQ(share("personal", "disk_personal").reason, Reason::NOT_A_DOMAIN);
    EXPECT_EQ(hv::acm::decide_share(v_, 0, 9999).reason, Reason::BAD_LABEL);
    EXPECT_EQ(hv::acm::decide_coexist(v_, 9999, 0).reason, Reason::BAD_LABEL);
    EXPECT_FALSE(hv::acm::decide_use(v_, 0xffffffff, 0).allow);
}

TEST_F(Decisions, ChineseWallConflictNamesTypesAndSet)
{
    auto d = coexist("banking", "untrusted");
    EXPECT_FALSE(d.allow);
    EXPECT_EQ(d.reason, Reason::CONFLICT);
    EXPECT_EQ(d.type_a, cw_type(v_, "cw_banking"));
    EXPECT_EQ(d.type_b, cw_type(v_, "cw_untrusted"));
    EXPECT_EQ(d.set, *v_.find_conflict_set(hv::acm::name_of("banking_alone")));
    d = coexist("untrusted", "banking");
    EXPECT_FALSE(d.allow);
    EXPECT_EQ(d.type_a, cw_type(v_, "cw_untrusted"));

    EXPECT_TRUE(coexist("banking", "banking").allow); // same type: no wall between them
    EXPECT_TRUE(coexist("banking", "personal").allow);
    EXPECT_TRUE(coexist("untrusted", "gui").allow);
    EXPECT_EQ(coexist("work", "store").reason, Reason::NO_CONFLICT);
}

TEST_F(Decisions, RunningTypesFollowStartAndStop)
{
    std::vector<uint32_t> counts(v_.cw_type_count());
    auto rt = hv::acm::Running_types::create(v_, counts);
    ASSERT_TRUE(rt.has_value());
    EXPECT_TRUE(rt->start(l("ward")).allow);
    EXPECT_TRUE(rt->start(l("untrusted")).allow);
    EXPECT_TRUE(rt->start(l("untrusted")).allow); // two untrusted domains
    auto d = rt->start(l("banking"));
    EXPECT_FALSE(d.allow);
    EXPECT_EQ(d.reason, Reason::CONFLICT);
    EXPECT_EQ(d.type_a, cw_type(v_, "cw_banking"));
    EXPECT_EQ(d.type_b, cw_type(v_, "cw_untrusted"));
    EXPECT_EQ(rt->running(cw_type(v_, "cw_banking")), 0u); // a refused start counts nothing
    EXPECT_TRUE(rt->may_start(l("personal")).allow);

    ASSERT_TRUE(rt->stop(l("untrusted")).has_value());
    EXPECT_FALSE(rt->may_start(l("banking")).allow); // one untrusted domain still runs
    ASSERT_TRUE(rt->stop(l("untrusted")).has_value());
    EXPECT_TRUE(rt->start(l("banking")).allow);
    EXPECT_FALSE(rt->may_start(l("untrusted")).allow); // and now the other way round
    EXPECT_EQ(rt->running(cw_type(v_, "cw_banking")), 1u);
}

TEST_F(Decisions, RunningTypesRejectBadInput)
{
    std::vector<uint32_t> small(v_.cw_type_count() - 1);
    auto const none = hv::acm::Running_types::create(v_, small);
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error(), hv::acm::Track_error::TOO_SMALL);

    std::vector<uint32_t> counts(v_.cw_type_count(), 7); // garbage is cleared
    auto rt = *hv::acm::Running_types::create(v_, counts);
    EXPECT_EQ(rt.running(0), 0u);
    auto const not_running = rt.stop(l("personal"));
    ASSERT_FALSE(not_running.has_value());
    EXPECT_EQ(not_running.error(), hv::acm::Track_error::NOT_RUNNING);
    EXPECT_EQ(rt.stop(l("gpu")).error(), hv::acm::Track_error::BAD_LABEL);
    EXPECT_EQ(rt.start(l("gpu")).reason, Reason::NOT_A_DOMAIN);
    EXPECT_EQ(rt.start(12345).reason, Reason::BAD_LABEL);
}

TEST_F(Decisions, ReseedingAfterReloadKeepsConflictingDomainsCounted)
{
    std::vector<uint32_t> counts(v_.cw_type_count());
    auto rt = *hv::acm::Running_types::create(v_, counts);
    ASSERT_TRUE(rt.add_running(l("banking")).has_value());
    ASSERT_TRUE(rt.add_running(l("untrusted")).has_value()); // no check: already running
    EXPECT_FALSE(rt.may_start(l("banking")).allow);
    EXPECT_FALSE(rt.may_start(l("untrusted")).allow);
}

TEST_F(Decisions, CacheHitsAndAnswersLikeTheEngine)
{
    hv::acm::Guard g;
    ASSERT_TRUE(g.load(policy_.binary()).has_value());
    // 4096 slots hold all 17 x 17 x 3 questions, so the second round mostly hits.
    std::vector<hv::acm::Cache_slot> slots(4096);
    hv::acm::Decision_cache cache{slots};
    auto const &v = g.policy();
    for (int round = 0; round < 2; ++round)
        for (uint32_t a = 0; a < v.label_count(); ++a)
            for (uint32_t b = 0; b < v.label_count(); ++b) {
                auto const s = g.share(cache, a, b);
                EXPECT_EQ(s.allow, hv::acm::decide_share(v, a, b).allow);
                EXPECT_EQ(s.type_a, hv::acm::decide_share(v, a, b).type_a);
                auto const c = g.coexist(cache, a, b);
                auto const c_direct = hv::acm::decide_coexist(v, a, b);
                EXPECT_EQ(c.allow, c_direct.allow);
                EXPECT_EQ(c.type_a, c_direct.type_a) << a << " " << b;
                EXPECT_EQ(c.type_b, c_direct.type_b) << a << " " << b;
                EXPECT_EQ(g.use(cache, a, b).allow, hv::acm::decide_use(v, a, b).allow);
            }
    EXPECT_GT(cache.hits(), 17u * 17u * 3u / 2u);
    EXPECT_GE(cache.misses(), 17u * 17u * 3u / 2u);

    // In a fresh cache, a pair misses once, then hits in either order.
    hv::acm::Decision_cache fresh{slots};
    (void)g.share(fresh, l("personal"), l("gui"));
    (void)g.share(fresh, l("gui"), l("personal"));
    EXPECT_EQ(fresh.misses(), 1u);
    EXPECT_EQ(fresh.hits(), 1u);
}

TEST_F(Decisions, ReloadRevokesCachedDecisions)
{
    // The new policy moves 'personal' out of the gui's coalitions.
    std::string const xml = desktop_xml();
    std::string const gui_block = "<Name>gui</Name>\n        <SimpleTypeEnforcementTypes>\n"
                                  "          <Type>ste_display</Type>\n"
                                  "          <Type>ste_personal</Type>\n";
    auto const stricter =
        compile(replaced(xml, gui_block,
                         "<Name>gui</Name>\n        <SimpleTypeEnforcementTypes>\n"
                         "          <Type>ste_display</Type>\n"));
    hv::acm::Guard g;
    ASSERT_TRUE(g.load(policy_.binary()).has_value());
    std::vector<hv::acm::Cache_slot> slots(16);
    hv::acm::Decision_cache cache{slots};
    uint64_t const before = g.generation();
    uint32_t const personal = l("personal"), gui = l("gui");
    EXPECT_TRUE(g.share(cache, personal, gui).allow);
    EXPECT_TRUE(g.share(cache, personal, gui).allow);
    EXPECT_EQ(cache.hits(), 1u);

    ASSERT_TRUE(g.load(stricter.binary()).has_value());
    EXPECT_EQ(g.generation(), before + 1);
    // Same label indices in both policies (same names), so only the generation stops the hit.
    EXPECT_FALSE(g.share(cache, personal, gui).allow);
    EXPECT_EQ(cache.hits(), 1u);

    // A refused policy leaves the one in force, and its generation.
    std::vector<std::byte> junk(200, std::byte{0});
    EXPECT_FALSE(g.load(junk).has_value());
    EXPECT_EQ(g.generation(), before + 1);
    EXPECT_FALSE(g.share(cache, personal, gui).allow);
}

TEST_F(Decisions, CacheBucketKeepsTwoAndEvictsTheOlder)
{
    hv::acm::Guard g;
    ASSERT_TRUE(g.load(policy_.binary()).has_value());
    std::vector<hv::acm::Cache_slot> slots(2); // one bucket: every key lands in it
    hv::acm::Decision_cache cache{slots};
    uint32_t const p = l("personal"), w = l("work"), b = l("banking");
    (void)g.share(cache, p, w); // miss
    (void)g.share(cache, p, b); // miss
    (void)g.share(cache, w, p); // hit (same unordered pair)
    (void)g.share(cache, b, p); // hit
    EXPECT_EQ(cache.hits(), 2u);
    (void)g.share(cache, w, b); // miss: evicts the older of the two
    (void)g.share(cache, p, w); // which was personal-work: miss again
    EXPECT_EQ(cache.misses(), 4u);
    (void)g.share(cache, w, b); // still there
    EXPECT_EQ(cache.hits(), 3u);
}

TEST_F(Decisions, NoPolicyDeniesEverything)
{
    hv::acm::Guard g;
    std::vector<hv::acm::Cache_slot> slots(4);
    hv::acm::Decision_cache cache{slots};
    EXPECT_EQ(g.share(cache, 0, 0).reason, Reason::NO_POLICY);
    hv::acm::Decision_cache empty{{}};
    ASSERT_TRUE(g.load(policy_.binary()).has_value());
    EXPECT_TRUE(g.share(empty, l("gui"), l("gui")).allow); // a zero-slot cache still works
}

TEST_F(Decisions, ReloadRelabelsRunningDomains)
{
    // 'work' is renamed 'office' (Name@from), 'banking' becomes 'bank' (no from: dropped).
    std::string xml =
        replaced(desktop_xml(), "<Name>work</Name>", "<Name from=\"work\">office</Name>");
    xml = replaced(xml, "<Name>banking</Name>", "<Name>bank</Name>");
    auto const next = compile(xml);
    hv::acm::Guard g;
    ASSERT_TRUE(g.load(policy_.binary()).has_value());
    uint64_t const gen = g.generation();
    std::vector<uint32_t> running{l("personal"), l("work"), l("banking"), hv::acm::NO_LABEL};

    std::vector<std::byte> junk(300, std::byte{1});
    auto const refused = g.reload(junk, running);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error(), hv::acm::Load_error::BAD_MAGIC);
    EXPECT_EQ(running[1], l("work")); // unchanged on error
    EXPECT_EQ(g.generation(), gen);

    auto const dropped = g.reload(next.binary(), running);
    ASSERT_TRUE(dropped.has_value());
    EXPECT_EQ(*dropped, 1u);
    EXPECT_EQ(g.generation(), gen + 1);
    auto const &nv = next.view();
    EXPECT_EQ(running[0], *nv.find_label(hv::acm::name_of("personal")));
    EXPECT_EQ(running[1], *nv.find_label(hv::acm::name_of("office")));
    EXPECT_EQ(running[2], hv::acm::NO_LABEL);
    EXPECT_EQ(running[3], hv::acm::NO_LABEL);

    // The Chinese Wall counts are rebuilt from the relabelled domains.
    std::vector<uint32_t> counts(nv.cw_type_count());
    auto rt = *hv::acm::Running_types::create(g.policy(), counts);
    for (uint32_t const label : running) {
        if (label != hv::acm::NO_LABEL) {
            ASSERT_TRUE(rt.add_running(label).has_value());
        }
    }
    EXPECT_EQ(rt.running(cw_type(nv, "cw_work")), 1u);
    EXPECT_TRUE(rt.may_start(*nv.find_label(hv::acm::name_of("untrusted"))).allow);
}

TEST_F(Decisions, ReportOfRevokedChannels)
{
    auto const stricter =
        compile(replaced(desktop_xml(),
                         "<Name>gui</Name>\n        <SimpleTypeEnforcementTypes>\n"
                         "          <Type>ste_display</Type>\n"
                         "          <Type>ste_personal</Type>\n",
                         "<Name>gui</Name>\n        <SimpleTypeEnforcementTypes>\n"
                         "          <Type>ste_display</Type>\n"));
    std::vector<hv::acm::Channel> const channels{
        {l("personal"), l("gui")}, {l("work"), l("gui")}, {l("banking"), l("store")}};
    bool revoked[3] = {};
    EXPECT_EQ(hv::acm::revoked_channels(v_, stricter.view(), channels, revoked), 1u);
    EXPECT_TRUE(revoked[0]);
    EXPECT_FALSE(revoked[1]);
    EXPECT_FALSE(revoked[2]);
    EXPECT_EQ(hv::acm::revoked_channels(v_, v_, channels, revoked), 0u);
}

TEST_F(Decisions, RunningTypesKeepTheirOwnView)
{
    std::vector<uint32_t> counts(v_.cw_type_count());
    auto rt = [&] {
        hv::acm::Policy_view const local = *hv::acm::Policy_view::load(policy_.binary());
        return *hv::acm::Running_types::create(local, counts);
    }(); // `local` is gone; the tracker must not point at it
    EXPECT_TRUE(rt.start(l("untrusted")).allow);
    EXPECT_FALSE(rt.may_start(l("banking")).allow);
}

TEST_F(Decisions, LabelsCarryAcrossRenames)
{
    auto const renamed =
        compile(replaced(desktop_xml(), "<Name>work</Name>", "<Name from=\"work\">office</Name>"));
    auto const &to = renamed.view();
    auto const office = hv::acm::carry_label(v_, l("work"), to);
    ASSERT_TRUE(office.has_value());
    EXPECT_TRUE(to.label_name(*office) == hv::acm::name_of("office"));
    EXPECT_EQ(hv::acm::carry_label(v_, l("personal"), to),
              to.find_label(hv::acm::name_of("personal")));
    EXPECT_FALSE(hv::acm::share_revoked(v_, l("work"), l("gui"), to));

    auto const dropped =
        compile(replaced(desktop_xml(), "<Name>work</Name>", "<Name>office</Name>"));
    EXPECT_FALSE(hv::acm::carry_label(v_, l("work"), dropped.view()).has_value());
    EXPECT_TRUE(hv::acm::share_revoked(v_, l("work"), l("gui"), dropped.view()));
}

} // namespace
