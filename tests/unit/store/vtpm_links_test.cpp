// SPDX-License-Identifier: MIT
// The store domain's `ward.vtpm=FRONTEND:BACKEND` command-line parsing (docs/vtpm.md §7,
// "Who serves whom"): which vtpm devices the store makes at boot.
#include "server/vtpm_links.hpp"

#include <gtest/gtest.h>

namespace dom::store
{

using Links = std::vector<Vtpm_link>;

TEST(VtpmLinks, TheTestBootLineGivesBothPairsInOrder)
{
    EXPECT_EQ(parse_vtpm_links("console=hvc0 loglevel=4 rdinit=/init panic=-1 ward.role=store "
                               "ward.vtpm=tpmfront:vtpm ward.vtpm=intruder:vtpm"),
              (Links{{"tpmfront", "vtpm"}, {"intruder", "vtpm"}}));
}

TEST(VtpmLinks, NoTokenNoLink)
{
    EXPECT_TRUE(parse_vtpm_links("").empty());
    EXPECT_TRUE(parse_vtpm_links("   \t\n").empty());
    EXPECT_TRUE(parse_vtpm_links("console=hvc0 ward.role=store").empty());
}

TEST(VtpmLinks, TokensSplitOnSpaceTabAndNewline)
{
    EXPECT_EQ(parse_vtpm_links("ward.vtpm=a:b\tward.vtpm=c:d\nward.vtpm=e:f  ward.vtpm=g:h\n"),
              (Links{{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g", "h"}}));
}

TEST(VtpmLinks, NamesMayUseLettersDigitsUnderscoreDashDot)
{
    EXPECT_EQ(parse_vtpm_links("ward.vtpm=Work_VM-2.test:vtpm.0"),
              (Links{{"Work_VM-2.test", "vtpm.0"}}));
}

TEST(VtpmLinks, OnlyTheExactKeyCounts)
{
    EXPECT_TRUE(parse_vtpm_links("ward.vtpmx=a:b xward.vtpm=a:b ward.vtpm:a:b WARD.VTPM=a:b "
                                 "ward.vtpm a:b")
                    .empty());
}

TEST(VtpmLinks, MalformedTokensAreSkippedAndTheRestKept)
{
    EXPECT_EQ(parse_vtpm_links("ward.vtpm= ward.vtpm=ab ward.vtpm=:b ward.vtpm=a: ward.vtpm=: "
                               "ward.vtpm=a:a ward.vtpm=a/b:c ward.vtpm=a:b:c ward.vtpm=a\"x:b "
                               "ward.vtpm=front:back"),
              (Links{{"front", "back"}}));
}

TEST(VtpmLinks, NamesAreAtMost31Bytes)
{
    std::string const f31(31, 'f'), b31(31, 'b'), f32(32, 'f'), b32(32, 'b');
    EXPECT_EQ(parse_vtpm_links("ward.vtpm=" + f31 + ":" + b31), (Links{{f31, b31}}));
    EXPECT_TRUE(parse_vtpm_links("ward.vtpm=" + f32 + ":" + b31).empty());
    EXPECT_TRUE(parse_vtpm_links("ward.vtpm=" + f31 + ":" + b32).empty());
}

TEST(VtpmLinks, NonAsciiAndControlBytesAreRefused)
{
    EXPECT_TRUE(parse_vtpm_links("ward.vtpm=caf\xc3\xa9:vtpm").empty());
    EXPECT_TRUE(parse_vtpm_links(std::string_view("ward.vtpm=a\0b:c", 15)).empty());
    EXPECT_TRUE(parse_vtpm_links("ward.vtpm=a\rb:c").empty());
}

TEST(VtpmLinks, AKeyAtTheVeryEndWithoutValueIsSkipped)
{
    EXPECT_TRUE(parse_vtpm_links("console=hvc0 ward.vtpm=").empty());
    EXPECT_EQ(parse_vtpm_links("ward.vtpm=a:b ward.vtpm="), (Links{{"a", "b"}}));
}

} // namespace dom::store
