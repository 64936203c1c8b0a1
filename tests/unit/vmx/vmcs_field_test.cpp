// SPDX-License-Identifier: MIT
#include "hv/vmx/vmcs_field.hpp"

#include <gtest/gtest.h>

namespace hv::vmx
{
namespace
{

TEST(VmcsField, WellKnownEncodings)
{
    // Values from the SDM's appendix B, as used by every VMX hypervisor.
    EXPECT_EQ(static_cast<uint32_t>(Field::GUEST_RIP), 0x681eu);
    EXPECT_EQ(static_cast<uint32_t>(Field::VMCS_LINK_POINTER), 0x2800u);
    EXPECT_EQ(static_cast<uint32_t>(Field::EPT_POINTER), 0x201au);
    EXPECT_EQ(static_cast<uint32_t>(Field::EXIT_REASON), 0x4402u);
    EXPECT_EQ(static_cast<uint32_t>(Field::HOST_RIP), 0x6c16u);
    EXPECT_EQ(static_cast<uint32_t>(Field::SECONDARY_PROC_BASED_CONTROLS), 0x401eu);
}

TEST(VmcsField, WidthFromEncoding)
{
    EXPECT_EQ(field_width(Field::VPID), Field_width::BITS_16);
    EXPECT_EQ(field_width(Field::GUEST_CS_SELECTOR), Field_width::BITS_16);
    EXPECT_EQ(field_width(Field::EPT_POINTER), Field_width::BITS_64);
    EXPECT_EQ(field_width(Field::GUEST_IA32_EFER), Field_width::BITS_64);
    EXPECT_EQ(field_width(Field::PIN_BASED_CONTROLS), Field_width::BITS_32);
    EXPECT_EQ(field_width(Field::GUEST_CS_ACCESS_RIGHTS), Field_width::BITS_32);
    EXPECT_EQ(field_width(Field::GUEST_CR0), Field_width::NATURAL);
    EXPECT_EQ(field_width(Field::HOST_RSP), Field_width::NATURAL);
}

TEST(VmcsField, TypeFromEncoding)
{
    EXPECT_EQ(field_type(Field::PIN_BASED_CONTROLS), Field_type::CONTROL);
    EXPECT_EQ(field_type(Field::EXIT_REASON), Field_type::EXIT_INFORMATION);
    EXPECT_EQ(field_type(Field::EXIT_QUALIFICATION), Field_type::EXIT_INFORMATION);
    EXPECT_EQ(field_type(Field::GUEST_PHYSICAL_ADDRESS), Field_type::EXIT_INFORMATION);
    EXPECT_EQ(field_type(Field::GUEST_RIP), Field_type::GUEST_STATE);
    EXPECT_EQ(field_type(Field::VMCS_LINK_POINTER), Field_type::GUEST_STATE);
    EXPECT_EQ(field_type(Field::HOST_TR_SELECTOR), Field_type::HOST_STATE);
}

TEST(VmcsField, GuestSegmentFieldsAreEvenlySpaced)
{
    // The backend indexes segment fields as base + 2 * n in ES, CS, SS, DS, FS, GS, LDTR, TR
    // order; this pins that layout.
    auto const at = [](Field f) { return static_cast<uint32_t>(f); };
    EXPECT_EQ(at(Field::GUEST_TR_SELECTOR) - at(Field::GUEST_ES_SELECTOR), 14u);
    EXPECT_EQ(at(Field::GUEST_TR_LIMIT) - at(Field::GUEST_ES_LIMIT), 14u);
    EXPECT_EQ(at(Field::GUEST_TR_ACCESS_RIGHTS) - at(Field::GUEST_ES_ACCESS_RIGHTS), 14u);
    EXPECT_EQ(at(Field::GUEST_TR_BASE) - at(Field::GUEST_ES_BASE), 14u);
}

TEST(VmcsField, EncodingValidity)
{
    EXPECT_TRUE(field_encoding_valid(0x201a));
    EXPECT_TRUE(field_encoding_valid(0x201b));  // high half of a 64-bit field
    EXPECT_FALSE(field_encoding_valid(0x4003)); // high half of a 32-bit field
    EXPECT_FALSE(field_encoding_valid(0x1000)); // reserved bit 12
    EXPECT_FALSE(field_encoding_valid(0x10000));
}

} // namespace
} // namespace hv::vmx
