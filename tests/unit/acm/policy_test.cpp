// SPDX-License-Identifier: MIT
// The hosted library: XML -> binary -> dump round trips, a policy in the layout of Xen's ACM
// examples, colours, labels, decisions with reasons, diff.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "ward/policy/report.hpp"

namespace
{

using namespace acm_test;
using ward::policy::Policy;

// A policy written the way Xen's ACM example policies are (default namespace, schema
// location, comments, PolicyUrl, priority attribute, CW-only dom0 type, resource labels).
std::string const acm_style = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- in the style of Xen's ACM example client policies -->
<SecurityPolicyDefinition xmlns="http://www.ibm.com"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.ibm.com ../../security_policy.xsd">
  <PolicyHeader>
    <PolicyName>example.acm_style</PolicyName>
    <PolicyUrl>www.example.org/acm_style</PolicyUrl>
    <Date>2006-03-31</Date>
    <Version>1.0</Version>
    <FromPolicy><PolicyName>example.old</PolicyName><Version>0.9</Version></FromPolicy>
  </PolicyHeader>
  <SimpleTypeEnforcement>
    <SimpleTypeEnforcementTypes>
      <Type>ste_Management</Type>
      <Type>ste_Finances</Type>
      <Type>ste_Games</Type>
      <Type>ste_Storage</Type>
    </SimpleTypeEnforcementTypes>
  </SimpleTypeEnforcement>
  <ChineseWall priority="PrimaryPolicyComponent">
    <ChineseWallTypes>
      <Type>cw_Management</Type>
      <Type>cw_Sensitive</Type>
      <Type>cw_Isolated</Type>
      <Type>cw_Distrusted</Type>
    </ChineseWallTypes>
    <ConflictSets>
      <Conflict name="Protection1">
        <Type>cw_Sensitive</Type>
        <Type>cw_Distrusted</Type>
      </Conflict>
    </ConflictSets>
  </ChineseWall>
  <SecurityLabelTemplate>
    <SubjectLabels bootstrap="Management">
      <VirtualMachineLabel>
        <Name>dom_Banking</Name>
        <SimpleTypeEnforcementTypes><Type>ste_Finances</Type></SimpleTypeEnforcementTypes>
        <ChineseWallTypes><Type>cw_Sensitive</Type></ChineseWallTypes>
      </VirtualMachineLabel>
      <VirtualMachineLabel>
        <Name>dom_Fun</Name>
        <SimpleTypeEnforcementTypes><Type>ste_Games</Type></SimpleTypeEnforcementTypes>
        <ChineseWallTypes><Type>cw_Distrusted</Type></ChineseWallTypes>
      </VirtualMachineLabel>
      <VirtualMachineLabel>
        <Name>Management</Name>
        <SimpleTypeEnforcementTypes>
          <Type>ste_Management</Type><Type>ste_Finances</Type>
          <Type>ste_Games</Type><Type>ste_Storage</Type>
        </SimpleTypeEnforcementTypes>
        <ChineseWallTypes><Type>cw_Management</Type></ChineseWallTypes>
      </VirtualMachineLabel>
      <VirtualMachineLabel>
        <Name>dom_Storage</Name>
        <SimpleTypeEnforcementTypes>
          <Type>ste_Storage</Type><Type>ste_Finances</Type><Type>ste_Games</Type>
        </SimpleTypeEnforcementTypes>
        <ChineseWallTypes><Type>cw_Management</Type></ChineseWallTypes>
      </VirtualMachineLabel>
    </SubjectLabels>
    <ObjectLabels>
      <ResourceLabel>
        <Name>res_HardDrive(hda)</Name>
        <SimpleTypeEnforcementTypes><Type>ste_Storage</Type></SimpleTypeEnforcementTypes>
      </ResourceLabel>
      <ResourceLabel>
        <Name>res_Partition1(hda1)</Name>
        <SimpleTypeEnforcementTypes><Type>ste_Finances</Type></SimpleTypeEnforcementTypes>
      </ResourceLabel>
    </ObjectLabels>
  </SecurityLabelTemplate>
</SecurityPolicyDefinition>
)";

TEST(PolicyLibrary, AcmStylePolicyCarriesOver)
{
    Policy const p = compile(acm_style);
    EXPECT_EQ(p.name(), "example.acm_style");
    EXPECT_EQ(p.bootstrap_label(), "Management");
    EXPECT_EQ(p.label_names().size(), 6u);
    auto const v = *p.decide("dom_Banking", "dom_Fun");
    EXPECT_FALSE(v.share.allow);
    EXPECT_FALSE(v.coexist.allow);
    EXPECT_TRUE(p.decide("dom_Banking", "dom_Storage")->share.allow);
    EXPECT_TRUE(p.decide("dom_Banking", "res_Partition1(hda1)")->share.allow);
    EXPECT_FALSE(p.decide("dom_Fun", "res_Partition1(hda1)")->share.allow);
    EXPECT_FALSE(p.colour("dom_Banking").has_value()); // an ACM file has no colours
}

TEST(PolicyLibrary, BinaryRoundTripIsIdentical)
{
    Policy const a = compile(desktop_xml());
    auto const b = Policy::from_binary(bytes_of(a), "desktop.bin");
    ASSERT_TRUE(b.has_value()) << b.error().to_string();
    EXPECT_EQ(ward::policy::show(a), ward::policy::show(*b));
    // Compiling is deterministic.
    Policy const again = compile(desktop_xml());
    EXPECT_EQ(bytes_of(a), bytes_of(again));
}

TEST(PolicyLibrary, DumpNamesEverything)
{
    std::string const dump = ward::policy::show(compile(desktop_xml()));
    for (char const *line :
         {"policy: ward-desktop version 1.0\n", "bootstrap label: ward\n",
          "  ste_personal  colour #3a9a3a\n", "  cw_banking  conflict sets: banking_alone\n",
          "  banking_alone: cw_banking, cw_untrusted\n",
          "  vm  banking  ste: ste_banking  cw: cw_banking  colour #d4a017\n",
          "  res gpu  ste: ste_display\n", "  [bootstrap]\n", "labels: 17\n"})
        EXPECT_NE(dump.find(line), std::string::npos) << "missing: " << line << "\n" << dump;
}

TEST(PolicyLibrary, LabelsColoursAndCoalitions)
{
    Policy const p = compile(desktop_xml());
    EXPECT_EQ(p.colour("banking"), 0xd4a017u);
    EXPECT_EQ(p.colour("untrusted"), 0xd03030u);
    EXPECT_EQ(p.colour("store"), 0x808080u);   // first listed type: ste_system
    EXPECT_FALSE(p.colour("gui").has_value()); // first listed type ste_display has no colour
    EXPECT_FALSE(p.colour("nosuch").has_value());
    EXPECT_EQ(ward::policy::colour_hex(0x2f6fd0), "#2f6fd0");
    EXPECT_EQ(p.coalitions("vtpm"),
              (std::vector<std::string>{"ste_banking", "ste_personal", "ste_system", "ste_work"}));
    auto const info = p.label("disk_work");
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->kind, ward::policy::Label_kind::RESOURCE);
    EXPECT_EQ(info->ste_types, std::vector<std::string>{"ste_work"});
}

TEST(PolicyLibrary, ExplainFirstTwoLines)
{
    Policy const p = compile(desktop_xml());
    auto const text = ward::policy::explain(p, "banking", "untrusted");
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(text->rfind("share: deny\ncoexist: deny\n", 0), 0u) << *text;
    EXPECT_NE(text->find("conflict set 'banking_alone'"), std::string::npos);
    EXPECT_NE(text->find("'cw_banking'"), std::string::npos);
    auto const ok = ward::policy::explain(p, "work", "gui");
    EXPECT_EQ(ok->rfind("share: allow\ncoexist: allow\n", 0), 0u) << *ok;
    EXPECT_NE(ok->find("STE type 'ste_work'"), std::string::npos);
    auto const unknown = ward::policy::explain(p, "work", "nosuch");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_NE(unknown.error().message.find("unknown label 'nosuch'"), std::string::npos);
}

TEST(PolicyLibrary, DiffReportsWhatWouldBeRevoked)
{
    Policy const a = compile(desktop_xml());
    EXPECT_EQ(ward::policy::diff(a, a).revoked, 0u);
    // The new policy walls work off from untrusted and takes the vTPM from personal.
    std::string xml = replaced(desktop_xml(), "</ConflictSets>",
                               "<Conflict name=\"work_alone\"><Type>cw_work</Type>"
                               "<Type>cw_untrusted</Type></Conflict></ConflictSets>");
    xml = replaced(xml,
                   "<Name>vtpm</Name>\n        <SimpleTypeEnforcementTypes>\n"
                   "          <Type>ste_system</Type>\n          <Type>ste_personal</Type>\n",
                   "<Name>vtpm</Name>\n        <SimpleTypeEnforcementTypes>\n"
                   "          <Type>ste_system</Type>\n");
    Policy const b = compile(xml);
    auto const d = ward::policy::diff(a, b);
    EXPECT_NE(d.text.find("coexist revoked: 'untrusted' <-> 'work' (conflict set 'work_alone'"),
              std::string::npos)
        << d.text;
    EXPECT_NE(d.text.find("share revoked: 'personal' <-> 'vtpm' (was through STE type "
                          "'ste_personal'"),
              std::string::npos)
        << d.text;
    // ...and so also the vTPM's use of the personal disk.
    EXPECT_NE(d.text.find("use revoked: 'vtpm' <-> 'disk_personal'"), std::string::npos) << d.text;
    EXPECT_EQ(d.revoked, 3u) << d.text;
    // The other way round, nothing is revoked: all three come back as grants.
    auto const back = ward::policy::diff(b, a);
    EXPECT_EQ(back.revoked, 0u) << back.text;
    EXPECT_NE(back.text.find("granted: 3"), std::string::npos) << back.text;
}

TEST(PolicyLibrary, DiffFollowsRenamesAndReportsRemovals)
{
    Policy const a = compile(desktop_xml());
    Policy const renamed =
        compile(replaced(desktop_xml(), "<Name>work</Name>", "<Name from=\"work\">office</Name>"));
    auto const d = ward::policy::diff(a, renamed);
    EXPECT_EQ(d.revoked, 0u) << d.text;
    EXPECT_NE(d.text.find("label renamed: 'work' -> 'office'"), std::string::npos);
    Policy const removed =
        compile(replaced(desktop_xml(), "<Name>disk_work</Name>", "<Name>disk_office</Name>"));
    auto const r = ward::policy::diff(a, removed);
    EXPECT_NE(r.text.find("label removed: 'disk_work'"), std::string::npos);
    EXPECT_EQ(r.revoked, 1u) << r.text;
}

TEST(PolicyLibrary, LoadFileTellsBinaryFromXml)
{
    auto const missing = Policy::load_file("/nonexistent/policy.xml");
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(missing.error().to_string().find("cannot open"), std::string::npos);
    auto const xml = Policy::load_file(source_dir() + "/domains/policy/examples/desktop.xml");
    ASSERT_TRUE(xml.has_value()) << xml.error().to_string();
    EXPECT_EQ(xml->name(), "ward-desktop");
}

} // namespace
