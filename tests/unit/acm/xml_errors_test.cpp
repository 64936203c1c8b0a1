// SPDX-License-Identifier: MIT
// Every bad-input case of the issue: each gives one clear error with its place, and no policy.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace
{

using namespace acm_test;
using ward::policy::Error;
using ward::policy::Policy;

Error error_of(std::string const &xml)
{
    auto const p = Policy::from_xml(xml, "bad.xml");
    EXPECT_FALSE(p.has_value()) << "a bad policy compiled";
    return p ? Error{} : p.error();
}

void expect_message(Error const &e, std::string const &part)
{
    EXPECT_NE(e.message.find(part), std::string::npos)
        << "message '" << e.message << "' lacks '" << part << "'";
}

TEST(XmlErrors, MalformedXmlGivesFileLineColumnAndElement)
{
    std::string const xml = "<?xml version=\"1.0\"?>\n"
                            "<SecurityPolicyDefinition xmlns=\"http://www.ibm.com\">\n"
                            "  <PolicyHeader>\n"
                            "    <PolicyName>x</Type>\n";
    Error const e = error_of(xml);
    EXPECT_EQ(e.file, "bad.xml");
    EXPECT_EQ(e.line, 4);
    EXPECT_EQ(e.column, 25);
    EXPECT_EQ(e.element, "PolicyName");
    expect_message(e, "malformed XML");
    EXPECT_EQ(e.to_string().rfind("bad.xml:4:25: <PolicyName>: malformed XML", 0), 0u)
        << e.to_string();
}

TEST(XmlErrors, TruncatedAndEmptyDocuments)
{
    std::string const xml = desktop_xml();
    Error const e = error_of(xml.substr(0, xml.size() / 2));
    EXPECT_GT(e.line, 1);
    expect_message(e, "malformed XML");
    expect_message(error_of(""), "empty");
    expect_message(error_of("not xml at all"), "malformed XML");
}

TEST(XmlErrors, WrongRootAndNamespace)
{
    expect_message(error_of("<Policy/>"), "expected <SecurityPolicyDefinition>");
    expect_message(error_of("<SecurityPolicyDefinition xmlns=\"urn:other\"/>"), "namespace");
}

TEST(XmlErrors, DoctypeIsRefused)
{
    std::string const xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e \"ste_a\">]>\n" +
                            desktop_xml().substr(desktop_xml().find("<SecurityPolicyDefinition"));
    expect_message(error_of(xml), "DOCTYPE");
}

TEST(XmlErrors, UnknownElement)
{
    Error const e = error_of(replaced(desktop_xml(), "<Date>", "<Colour>red</Colour><Date>"));
    EXPECT_EQ(e.element, "Colour");
    EXPECT_EQ(e.line, 7);
    expect_message(e, "unknown element <Colour> in <PolicyHeader>");
}

TEST(XmlErrors, LabelNamingUndefinedType)
{
    Error const e =
        error_of(replaced(desktop_xml(), "<SimpleTypeEnforcementTypes><Type>ste_input</Type>",
                          "<SimpleTypeEnforcementTypes><Type>ste_nope</Type>"));
    EXPECT_EQ(e.element, "Type");
    EXPECT_GT(e.line, 0);
    expect_message(e, "label 'input' names undefined STE type 'ste_nope'");

    Error const cw = error_of(replaced(desktop_xml(), "<ChineseWallTypes><Type>cw_work</Type>",
                                       "<ChineseWallTypes><Type>cw_office</Type>"));
    expect_message(cw, "label 'work' names undefined Chinese Wall type 'cw_office'");
}

TEST(XmlErrors, ConflictSetNamingUnknownType)
{
    Error const e =
        error_of(replaced(desktop_xml(), "<Type>cw_banking</Type>\n        <Type>cw_untrusted",
                          "<Type>cw_bank</Type>\n        <Type>cw_untrusted"));
    expect_message(e, "conflict set 'banking_alone' names unknown Chinese Wall type 'cw_bank'");
}

TEST(XmlErrors, DuplicateNames)
{
    expect_message(error_of(replaced(desktop_xml(), "<Type>ste_input</Type>\n",
                                     "<Type>ste_input</Type>\n<Type>ste_work</Type>\n")),
                   "duplicate STE type 'ste_work' (first defined on line 18)");
    expect_message(error_of(replaced(desktop_xml(), "<Type>cw_untrusted</Type>\n",
                                     "<Type>cw_untrusted</Type><Type>cw_work</Type>\n")),
                   "duplicate Chinese Wall type 'cw_work'");
    expect_message(error_of(replaced(desktop_xml(), "<Name>untrusted</Name>", "<Name>work</Name>")),
                   "duplicate label name 'work'");
    expect_message(error_of(replaced(desktop_xml(), "<Name>gpu</Name>", "<Name>banking</Name>")),
                   "duplicate label name 'banking'");
    expect_message(error_of(replaced(desktop_xml(), "</ConflictSets>",
                                     "<Conflict name=\"banking_alone\"><Type>cw_work</Type>"
                                     "<Type>cw_personal</Type></Conflict></ConflictSets>")),
                   "duplicate conflict set 'banking_alone'");
    expect_message(error_of(replaced(desktop_xml(), "<Name>work</Name>",
                                     "<Name>work</Name><SimpleTypeEnforcementTypes><Type>ste_work"
                                     "</Type></SimpleTypeEnforcementTypes>")),
                   "label 'work' lists STE type 'ste_work' twice");
}

TEST(XmlErrors, EmptyAndOneTypeConflictSets)
{
    Error const one = error_of(
        replaced(desktop_xml(), "<Type>cw_banking</Type>\n        <Type>cw_untrusted</Type>",
                 "<Type>cw_banking</Type>"));
    EXPECT_EQ(one.element, "Conflict");
    expect_message(one,
                   "conflict set 'banking_alone' has 1 type(s); a conflict set needs at least two");
    Error const none = error_of(
        replaced(desktop_xml(), "<Type>cw_banking</Type>\n        <Type>cw_untrusted</Type>", ""));
    expect_message(none, "conflict set 'banking_alone' has 0 type(s)");
    Error const same =
        error_of(replaced(desktop_xml(), "<Type>cw_untrusted</Type>\n      </Conflict>",
                          "<Type>cw_banking</Type>\n      </Conflict>"));
    expect_message(same, "lists type 'cw_banking' twice");
    std::string const xml = desktop_xml();
    auto const from = xml.find("<ConflictSets>");
    auto const to = xml.find("</ConflictSets>") + std::string{"</ConflictSets>"}.size();
    Error const empty = error_of(xml.substr(0, from) + "<ConflictSets/>" + xml.substr(to));
    expect_message(empty, "<ConflictSets> is empty");
}

TEST(XmlErrors, MissingBootstrapLabel)
{
    Error const absent =
        error_of(replaced(desktop_xml(), "<SubjectLabels bootstrap=\"ward\">", "<SubjectLabels>"));
    EXPECT_EQ(absent.element, "SubjectLabels");
    expect_message(absent, "missing bootstrap label");
    Error const undefined =
        error_of(replaced(desktop_xml(), "bootstrap=\"ward\"", "bootstrap=\"dom0\""));
    expect_message(undefined, "missing bootstrap label: bootstrap names 'dom0'");
    Error const resource =
        error_of(replaced(desktop_xml(), "bootstrap=\"ward\"", "bootstrap=\"gpu\""));
    expect_message(resource, "is a resource label");
    std::string const xml = desktop_xml();
    auto const from = xml.find("<SubjectLabels");
    auto const to = xml.find("</SubjectLabels>") + std::string{"</SubjectLabels>"}.size();
    expect_message(error_of(xml.substr(0, from) + xml.substr(to)), "missing bootstrap label");
}

TEST(XmlErrors, ResourceLabelNeedsExactlyOneType)
{
    Error const e = error_of(
        replaced(desktop_xml(),
                 "<Name>gpu</Name>\n        <SimpleTypeEnforcementTypes><Type>ste_display</Type>",
                 "<Name>gpu</Name>\n        "
                 "<SimpleTypeEnforcementTypes><Type>ste_display</Type><Type>ste_input</Type>"));
    expect_message(e, "resource label 'gpu' has 2 STE types");
}

TEST(XmlErrors, LabelHoldingConflictingTypes)
{
    Error const e =
        error_of(replaced(desktop_xml(), "<ChineseWallTypes><Type>cw_banking</Type>",
                          "<ChineseWallTypes><Type>cw_banking</Type><Type>cw_untrusted</Type>"));
    expect_message(e, "label 'banking' holds Chinese Wall types 'cw_banking' and 'cw_untrusted'");
}

TEST(XmlErrors, HeaderChecks)
{
    // <Version> is optional in the ACM schema.
    EXPECT_EQ(compile(replaced(desktop_xml(), "<Version>1.0</Version>", "")).version(), "0.0");
    expect_message(
        error_of(replaced(desktop_xml(), "<Version>1.0</Version>", "<Version>one</Version>")),
        "not of the form MAJOR.MINOR");
    expect_message(error_of(replaced(desktop_xml(), "<PolicyName>ward-desktop</PolicyName>", "")),
                   "no <PolicyName>");
    expect_message(error_of(replaced(desktop_xml(), "<PolicyName>ward-desktop</PolicyName>",
                                     "<PolicyName>  </PolicyName>")),
                   "<PolicyName> is empty");
}

TEST(XmlErrors, ColourExtension)
{
    expect_message(error_of(replaced(desktop_xml(), "colour=\"#3a9a3a\"", "colour=\"green\"")),
                   "is not #rrggbb");
    expect_message(error_of(replaced(desktop_xml(), "type=\"ste_work\"", "type=\"ste_office\"")),
                   "ward-colour names unknown STE type 'ste_office'");
    expect_message(error_of(replaced(desktop_xml(), "type=\"ste_work\"", "type=\"ste_personal\"")),
                   "already has a colour");
    expect_message(error_of(replaced(desktop_xml(), "type=\"ste_work\"", "shade=\"x\"")),
                   "unknown key 'shade'");
}

} // namespace
