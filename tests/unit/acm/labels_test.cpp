// SPDX-License-Identifier: MIT
// Label assignments: domain configuration label lines and the resource label file.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "ward/policy/labels.hpp"

namespace
{

using namespace ward::policy;

TEST(Labels, ConfigLabelLine)
{
    std::string const cfg = "name = a\n  label =  work \n# label = commented\nmemory = 64\n";
    EXPECT_EQ(*config_label(cfg, "a.cfg"), "work");
    EXPECT_EQ(config_with_label(cfg, "banking"),
              "name = a\nlabel = banking\n# label = commented\nmemory = 64\n");
    EXPECT_EQ(*config_without_label(cfg, "a.cfg"), "name = a\n# label = commented\nmemory = 64\n");
    EXPECT_EQ(config_with_label("name = a", "work"), "name = a\nlabel = work\n");
    auto const none = config_label("name = a\n# label = x\n", "a.cfg");
    ASSERT_FALSE(none.has_value());
    EXPECT_NE(none.error().message.find("unlabelled"), std::string::npos);
    EXPECT_FALSE(config_without_label("name = a\n", "a.cfg").has_value());
    EXPECT_FALSE(config_label("label =\n", "a.cfg").has_value());
}

TEST(Labels, ResourceNames)
{
    for (char const *good : {"phy:/dev/sda2", "file:/srv/a.img", "net:uplink0", "vtpm:bank1"})
        EXPECT_TRUE(resource_name_ok(good)) << good;
    for (char const *bad : {"", "phy:", "/dev/sda", "usb:1-2", "phy:/dev/a b", "net:\t"})
        EXPECT_FALSE(resource_name_ok(bad)) << bad;
}

TEST(Labels, ResourceFileRoundTrip)
{
    auto db =
        Resource_labels::parse("# c\nvtpm:b vtpm_banking\nphy:/dev/sda2   disk_banking\n", "r");
    ASSERT_TRUE(db.has_value());
    EXPECT_EQ(db->entries().size(), 2u);
    EXPECT_EQ(db->entries().at("phy:/dev/sda2"), "disk_banking");
    auto const again = Resource_labels::parse(db->text(), "r");
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->entries(), db->entries());
}

TEST(Labels, ResourceFileErrors)
{
    auto e = Resource_labels::parse("phy:/dev/a x\nphy:/dev/a y\n", "r");
    ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.error().line, 2);
    EXPECT_NE(e.error().message.find("labelled twice"), std::string::npos);
    e = Resource_labels::parse("disk x\n", "r");
    ASSERT_FALSE(e.has_value());
    EXPECT_NE(e.error().message.find("bad resource 'disk'"), std::string::npos);
    e = Resource_labels::parse("phy:/dev/a\n", "r");
    ASSERT_FALSE(e.has_value());
    EXPECT_NE(e.error().message.find("expected 'RESOURCE LABEL'"), std::string::npos);
    EXPECT_FALSE(Resource_labels::parse("phy:/dev/a x y\n", "r").has_value());
}

TEST(Labels, CheckedAgainstPolicy)
{
    Policy const p = acm_test::compile(acm_test::desktop_xml());
    EXPECT_TRUE(check_label(p, "banking", Label_kind::VM).has_value());
    EXPECT_TRUE(check_label(p, "disk_work", Label_kind::RESOURCE).has_value());
    auto const wrong = check_label(p, "disk_work", Label_kind::VM);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_NE(wrong.error().message.find("is a resource label, not a domain label"),
              std::string::npos);
    EXPECT_FALSE(check_label(p, "nosuch", Label_kind::VM).has_value());
}

} // namespace
