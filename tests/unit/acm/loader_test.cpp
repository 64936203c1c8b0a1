// SPDX-License-Identifier: MIT
// The binary loader: a compiled policy loads; each corruption is refused with its own error,
// including corruptions made behind a recomputed digest (the digest proves integrity, not
// well-formedness).
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "hv/acm/binary_format.hpp"
#include "hv/acm/policy_view.hpp"

namespace
{

using namespace acm_test;
using hv::acm::Load_error;
using hv::acm::Policy_view;
namespace f = hv::acm::format;

class Loader : public ::testing::Test
{
  protected:
    Loader() : good_{bytes_of(compile(desktop_xml()))} {}

    Load_error refused(std::vector<std::byte> const &b)
    {
        auto const r = Policy_view::load(b);
        EXPECT_FALSE(r.has_value());
        return r ? Load_error::BAD_HEADER : r.error();
    }

    uint32_t label_record(std::vector<std::byte> const &b, uint32_t l)
    {
        return section(b, f::LABELS) + f::LABEL_SIZE * l;
    }

    std::vector<std::byte> good_;
};

TEST_F(Loader, CompiledPolicyLoads)
{
    auto const v = Policy_view::load(good_);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(acm_test::label(*v, "ward"), v->bootstrap_label());
    EXPECT_EQ(v->ste_type_count(), 7u);
    EXPECT_EQ(v->cw_type_count(), 5u);
    EXPECT_EQ(v->conflict_set_count(), 1u);
    EXPECT_EQ(v->label_count(), 17u);
    EXPECT_EQ(v->version_major(), 1u);
    EXPECT_EQ(v->version_minor(), 0u);
    EXPECT_TRUE(v->name() == hv::acm::name_of("ward-desktop"));
}

TEST_F(Loader, RefusesEveryTruncation)
{
    for (size_t n = 0; n < good_.size(); ++n) {
        std::vector<std::byte> const b(good_.begin(), good_.begin() + n);
        Load_error const e = refused(b);
        EXPECT_TRUE(e == Load_error::TRUNCATED) << "length " << n << ": " << describe(e);
    }
}

TEST_F(Loader, RefusesTrailingBytes)
{
    auto b = good_;
    b.push_back(std::byte{0});
    EXPECT_EQ(refused(b), Load_error::BAD_SIZE);
}

TEST_F(Loader, RefusesBadMagic)
{
    auto b = good_;
    b[0] = std::byte{'X'};
    EXPECT_EQ(refused(b), Load_error::BAD_MAGIC);
}

TEST_F(Loader, RefusesOtherVersionAndSaysSo)
{
    auto b = good_;
    b[f::OFF_VERSION] = std::byte{2};
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_VERSION);
    EXPECT_NE(std::string{describe(Load_error::BAD_VERSION)}.find("version"), std::string::npos);
}

TEST_F(Loader, RefusesAnyFlippedBitByDigest)
{
    // Every byte outside the digest field is covered by it.
    for (size_t at = 0; at < good_.size(); ++at) {
        if (at < 12 || (at >= f::OFF_DIGEST && at < f::HEADER_SIZE))
            continue; // magic, version and size fields fail earlier with their own error
        auto b = good_;
        b[at] ^= std::byte{0x01};
        EXPECT_EQ(refused(b), Load_error::BAD_DIGEST) << "byte " << at;
    }
    auto b = good_;
    b[f::OFF_DIGEST + 5] ^= std::byte{0x80};
    EXPECT_EQ(refused(b), Load_error::BAD_DIGEST);
}

TEST_F(Loader, RefusesReservedFlags)
{
    auto b = good_;
    put32(b, f::OFF_FLAGS, 1);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_HEADER);
}

TEST_F(Loader, RefusesSectionOutsideFile)
{
    auto b = good_;
    put32(b, f::OFF_SECTIONS + 8 * f::LABELS, static_cast<uint32_t>(b.size() - 4));
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_SECTION);
    b = good_;
    put32(b, f::OFF_SECTIONS + 8 * f::POOL, 16); // inside the header
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_SECTION);
}

TEST_F(Loader, RefusesLabelCountDisagreeingWithSection)
{
    auto b = good_;
    put32(b, f::OFF_LABEL_COUNT, get32(b, f::OFF_LABEL_COUNT) + 1);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_SECTION);
}

TEST_F(Loader, RefusesStringOutsideStrings)
{
    auto b = good_;
    put32(b, label_record(b, 3) + f::LABEL_NAME, 0xfffffff0);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_STRING);
}

TEST_F(Loader, RefusesUnsortedOrDuplicateLabels)
{
    auto b = good_;
    // Label 1 takes label 0's name: a duplicate, so not strictly ascending.
    put32(b, label_record(b, 1) + f::LABEL_NAME, get32(b, label_record(b, 0) + f::LABEL_NAME));
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_ORDER);
}

TEST_F(Loader, RefusesTypeIndexOutOfRange)
{
    auto b = good_;
    uint32_t const first = get32(b, label_record(b, 0) + f::LABEL_STE_FIRST);
    uint32_t const pool = section(b, f::POOL);
    b[pool + 2 * first] = std::byte{0x40}; // type 0x40 of 7
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_INDEX);
}

TEST_F(Loader, RefusesListPastPool)
{
    auto b = good_;
    put32(b, label_record(b, 0) + f::LABEL_CW_COUNT, 0x7fffffff);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_INDEX);
}

TEST_F(Loader, RefusesOneTypeConflictSet)
{
    auto b = good_;
    put32(b, section(b, f::CONFLICTS) + 8, 1);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_CONFLICT);
}

TEST_F(Loader, RefusesInconsistentConflictMembership)
{
    auto b = good_;
    auto const v = *Policy_view::load(good_);
    // cw_personal is in no set; claim it is in set 0 (its record's {first, count} reuses the
    // list of cw_banking, which names set 0).
    uint32_t const banking = cw_type(v, "cw_banking");
    uint32_t const personal = cw_type(v, "cw_personal");
    uint32_t const cw = section(b, f::CW_TYPES);
    put32(b, cw + f::CW_TYPE_SIZE * personal + 4, get32(b, cw + f::CW_TYPE_SIZE * banking + 4));
    put32(b, cw + f::CW_TYPE_SIZE * personal + 8, 1);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_CONFLICT);
}

TEST_F(Loader, RefusesResourceLabelWithChineseWallTypes)
{
    auto b = good_;
    auto const v = *Policy_view::load(good_);
    uint32_t const gpu = acm_test::label(v, "gpu");
    uint32_t const ward = acm_test::label(v, "ward");
    put32(b, label_record(b, gpu) + f::LABEL_CW_FIRST,
          get32(b, label_record(b, ward) + f::LABEL_CW_FIRST));
    put32(b, label_record(b, gpu) + f::LABEL_CW_COUNT, 1);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_LABEL);
}

TEST_F(Loader, RefusesBadBootstrap)
{
    auto b = good_;
    auto const v = *Policy_view::load(good_);
    put32(b, f::OFF_BOOTSTRAP, acm_test::label(v, "gpu")); // a resource label
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_BOOTSTRAP);
    put32(b, f::OFF_BOOTSTRAP, 1000);
    redigest(b);
    EXPECT_EQ(refused(b), Load_error::BAD_BOOTSTRAP);
}

TEST_F(Loader, EveryErrorHasADescription)
{
    for (int e = 0; e <= static_cast<int>(Load_error::BAD_BOOTSTRAP); ++e)
        EXPECT_STRNE(describe(static_cast<Load_error>(e)), "unknown load error");
}

} // namespace
