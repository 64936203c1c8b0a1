// SPDX-License-Identifier: MIT
#include "hv/vmx/access_rights.hpp"

#include <gtest/gtest.h>

namespace hv::vmx
{
namespace
{

TEST(AccessRights, SvmAttributesMapToVmxFormat)
{
    // testbeds.md: SVM 0xC9B/0xA9B/0xC93 are VMX 0xC09B/0xA09B/0xC093.
    EXPECT_EQ(access_rights_from_attr(0xc9b), 0xc09bu);
    EXPECT_EQ(access_rights_from_attr(0xa9b), 0xa09bu);
    EXPECT_EQ(access_rights_from_attr(0xc93), 0xc093u);
    EXPECT_EQ(access_rights_from_attr(0x08b), 0x008bu); // busy 32-bit TSS
}

TEST(AccessRights, NotPresentBecomesUnusable)
{
    EXPECT_EQ(access_rights_from_attr(0), AR_UNUSABLE);
    EXPECT_EQ(access_rights_from_attr(0x013), AR_UNUSABLE);
    EXPECT_EQ(attr_from_access_rights(0x10000), 0);
}

TEST(AccessRights, RoundTripsEveryPresentAttribute)
{
    for (uint16_t a = 0; a < 0x1000; ++a) {
        if (!(a & 0x80))
            continue;
        EXPECT_EQ(attr_from_access_rights(access_rights_from_attr(a)), a);
    }
}

TEST(SegmentCheck, PvhEntryStateIsValid)
{
    // Flat 4 GiB 32-bit code and data, a 32-bit busy TSS of 0x68 bytes, no LDT.
    EXPECT_EQ(segment_problem(Segment_kind::CS, 0xc09b, 0xffffffff, false), nullptr);
    EXPECT_EQ(segment_problem(Segment_kind::SS, 0xc093, 0xffffffff, false), nullptr);
    EXPECT_EQ(segment_problem(Segment_kind::DATA, 0xc093, 0xffffffff, false), nullptr);
    EXPECT_EQ(segment_problem(Segment_kind::TR, 0x008b, 0x67, false), nullptr);
    EXPECT_EQ(segment_problem(Segment_kind::LDTR, AR_UNUSABLE, 0, false), nullptr);
}

TEST(SegmentCheck, LongModeCode)
{
    EXPECT_EQ(segment_problem(Segment_kind::CS, 0xa09b, 0xffffffff, true), nullptr);
    EXPECT_NE(segment_problem(Segment_kind::CS, 0xe09b, 0xffffffff, true), nullptr); // L and D
}

TEST(SegmentCheck, RejectsBrokenSegments)
{
    EXPECT_STREQ(segment_problem(Segment_kind::CS, AR_UNUSABLE, 0, false), "CS is unusable");
    EXPECT_STREQ(segment_problem(Segment_kind::CS, 0xc091, 0xffffffff, false),
                 "CS type is not an accessed code segment");
    EXPECT_STREQ(segment_problem(Segment_kind::CS, 0xc01b, 0xffffffff, false), "CS is not present");
    EXPECT_STREQ(segment_problem(Segment_kind::TR, 0x0089, 0x67, false), "TR is not a busy TSS");
    EXPECT_STREQ(segment_problem(Segment_kind::TR, 0x10000, 0x67, false), "TR is unusable");
    EXPECT_STREQ(segment_problem(Segment_kind::SS, 0xc091, 0xffffffff, false),
                 "SS is not a writable data segment");
    EXPECT_STREQ(segment_problem(Segment_kind::DATA, 0xc092, 0xffffffff, false),
                 "data segment type is not accessed");
    EXPECT_STREQ(segment_problem(Segment_kind::LDTR, 0x0083, 0xffff, false), "LDTR is not an LDT");
    EXPECT_STREQ(segment_problem(Segment_kind::DATA, 0x4093, 0xffffffff, false),
                 "limit and granularity disagree");
    EXPECT_STREQ(segment_problem(Segment_kind::DATA, 0xc093, 0xff00, false),
                 "limit and granularity disagree");
    EXPECT_STREQ(segment_problem(Segment_kind::DATA, 0xc193, 0xffffffff, false),
                 "reserved access-rights bits set");
}

} // namespace
} // namespace hv::vmx
