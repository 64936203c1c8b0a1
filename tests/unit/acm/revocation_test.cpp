// SPDX-License-Identifier: MIT
// Policy reload decisions (hypervisor/acm revocation.hpp, docs/policy.md "Reloading the
// policy"): relabelling running domains, Chinese Wall conflicts among them under the new rules,
// and which live channels the new policy revokes. Variants of the desktop example policy.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "fixture.hpp"
#include "hv/acm/revocation.hpp"

namespace
{

using namespace acm_test;
using hv::acm::Channel;
using hv::acm::NO_LABEL;
using hv::acm::Reason;

// vtpm no longer holds ste_personal: personal and vtpm domains are separated.
std::string separated_xml()
{
    return replaced(desktop_xml(),
                    "<Name>vtpm</Name>\n        <SimpleTypeEnforcementTypes>\n"
                    "          <Type>ste_system</Type>\n          <Type>ste_personal</Type>\n",
                    "<Name>vtpm</Name>\n        <SimpleTypeEnforcementTypes>\n"
                    "          <Type>ste_system</Type>\n");
}

// personal and work become a Chinese Wall conflict set.
std::string walled_xml()
{
    return replaced(desktop_xml(), "    </ConflictSets>",
                    "      <Conflict name=\"home_or_office\">\n"
                    "        <Type>cw_personal</Type>\n        <Type>cw_work</Type>\n"
                    "      </Conflict>\n    </ConflictSets>");
}

// The work label is gone; banking was renamed to "bank" (Name@from).
std::string shrunk_xml()
{
    std::string x = replaced(desktop_xml(),
                             "      <VirtualMachineLabel>\n        <Name>work</Name>\n"
                             "        <SimpleTypeEnforcementTypes><Type>ste_work</Type>"
                             "</SimpleTypeEnforcementTypes>\n"
                             "        <ChineseWallTypes><Type>cw_work</Type></ChineseWallTypes>\n"
                             "      </VirtualMachineLabel>\n",
                             "");
    return replaced(x, "<Name>banking</Name>", "<Name from=\"banking\">bank</Name>");
}

TEST(Revocation, RelabelCarriesLabelsOrLooksThemUpByName)
{
    auto const old_p = compile(desktop_xml());
    auto const new_p = compile(shrunk_xml());
    auto const &o = old_p.view();
    auto const &n = new_p.view();
    using hv::acm::name_of;
    using hv::acm::relabel;
    EXPECT_EQ(relabel(&o, label(o, "personal"), name_of("personal"), n), label(n, "personal"));
    EXPECT_EQ(relabel(&o, label(o, "work"), name_of("work"), n), NO_LABEL); // vanished
    EXPECT_EQ(relabel(&o, label(o, "banking"), name_of("banking"), n), label(n, "bank"));
    EXPECT_EQ(relabel(&o, NO_LABEL, name_of("personal"), n), NO_LABEL); // had none: stays so
    // No policy in force before (the built-in one): by name.
    EXPECT_EQ(relabel(nullptr, NO_LABEL, name_of("personal"), n), label(n, "personal"));
    EXPECT_EQ(relabel(nullptr, NO_LABEL, name_of("work"), n), NO_LABEL);
    EXPECT_EQ(relabel(nullptr, NO_LABEL, name_of("nonesuch"), n), NO_LABEL);
    // A resource label is no domain's label.
    EXPECT_EQ(relabel(nullptr, NO_LABEL, name_of("disk_personal"), n), NO_LABEL);
}

TEST(Revocation, WallConflictAmongRunningDomainsIsFoundWithItsSet)
{
    auto const p = compile(walled_xml());
    auto const &v = p.view();
    std::array<uint32_t, 4> running{label(v, "ward"), label(v, "personal"), NO_LABEL,
                                    label(v, "work")};
    auto const c = hv::acm::first_wall_conflict(v, running);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->first, 1u);
    EXPECT_EQ(c->second, 3u);
    EXPECT_EQ(c->decision.reason, Reason::CONFLICT);
    EXPECT_EQ(c->decision.set, *v.find_conflict_set(hv::acm::name_of("home_or_office")));
    // Without the work domain, or under the old rules, nothing conflicts.
    running[3] = NO_LABEL;
    EXPECT_FALSE(hv::acm::first_wall_conflict(v, running).has_value());
    auto const d = compile(desktop_xml());
    std::array<uint32_t, 2> both{label(d.view(), "personal"), label(d.view(), "work")};
    EXPECT_FALSE(hv::acm::first_wall_conflict(d.view(), both).has_value());
    EXPECT_FALSE(hv::acm::first_wall_conflict(v, {}).has_value());
}

TEST(Revocation, PlanRevokesExactlyTheLinksTheNewPolicyForbids)
{
    auto const old_p = compile(desktop_xml());
    auto const new_p = compile(separated_xml());
    auto const &o = old_p.view();
    auto const &n = new_p.view();
    // Allowed under the old policy, all of them.
    std::vector<Channel> const old_links{{label(o, "personal"), label(o, "vtpm")},
                                         {label(o, "personal"), label(o, "personal")},
                                         {label(o, "vtpm"), label(o, "banking")},
                                         {label(o, "gui"), label(o, "personal")}};
    for (auto const &l : old_links)
        ASSERT_TRUE(hv::acm::link_survives(o, l.a, l.b));
    std::vector<Channel> links;
    for (auto const &l : old_links)
        links.push_back({hv::acm::relabel(&o, l.a, o.label_name(l.a), n),
                         hv::acm::relabel(&o, l.b, o.label_name(l.b), n)});
    links.push_back({label(n, "personal"), NO_LABEL}); // a domain whose label vanished
    std::vector<bool> revoke(links.size() + 1, false);
    std::unique_ptr<bool[]> flags{new bool[revoke.size()]{}};
    flags[links.size()] = true; // beyond the links: left alone
    std::span<bool> out{flags.get(), revoke.size()};
    EXPECT_EQ(hv::acm::plan_revocation(n, links, out), 2u);
    EXPECT_TRUE(out[0]);  // personal - vtpm: no common type any more
    EXPECT_FALSE(out[1]); // personal - personal
    EXPECT_FALSE(out[2]); // vtpm - banking (ste_banking)
    EXPECT_FALSE(out[3]); // gui - personal
    EXPECT_TRUE(out[4]);  // no label: never shares
    EXPECT_TRUE(out[5]);  // untouched
    // The same answer as carrying each link across with share_revoked.
    for (size_t i = 0; i < old_links.size(); ++i)
        EXPECT_EQ(out[i], hv::acm::share_revoked(o, old_links[i].a, old_links[i].b, n)) << i;
    // A shorter output span: only that many are decided.
    std::array<bool, 1> one{};
    EXPECT_EQ(hv::acm::plan_revocation(n, links, one), 1u);
}

} // namespace
