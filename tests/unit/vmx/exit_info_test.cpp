// SPDX-License-Identifier: MIT
#include "hv/vmx/exit_info.hpp"

#include <cstring>

#include <gtest/gtest.h>

namespace hv::vmx
{
namespace
{

TEST(ExitReason, DecodesBasicReasonAndEntryFailure)
{
    auto const ok = Exit_reason_field::decode(18);
    EXPECT_EQ(ok.basic, Exit_reason::VMCALL);
    EXPECT_FALSE(ok.entry_failure);
    auto const bad = Exit_reason_field::decode(0x80000021u);
    EXPECT_EQ(bad.basic, Exit_reason::ENTRY_FAILURE_GUEST_STATE);
    EXPECT_TRUE(bad.entry_failure);
}

TEST(ExitReason, NamesKnownAndUnknownReasons)
{
    EXPECT_STREQ(exit_reason_name(Exit_reason::EPT_VIOLATION), "EPT violation");
    EXPECT_STREQ(exit_reason_name(Exit_reason::VMCALL), "VMCALL");
    EXPECT_STREQ(exit_reason_name(static_cast<Exit_reason>(999)), "unknown exit reason");
}

TEST(IoQualification, OutToPort0x1234FromBochsRun)
{
    // testbeds.md 4.5: `EXIT reason=30 (I/O) qual=0x12340000 OUT port=0x1234`
    auto const q = Io_qualification::decode(0x12340000);
    EXPECT_EQ(q.port, 0x1234);
    EXPECT_EQ(q.size, 1);
    EXPECT_FALSE(q.in);
    EXPECT_FALSE(q.string);
    EXPECT_TRUE(q.valid());
}

TEST(IoQualification, InWithImmediatePort)
{
    // `qual=0x990008 IN port=0x99`: 1 byte, IN, DX operand... bit 6 clear
    auto const q = Io_qualification::decode(0x990008);
    EXPECT_EQ(q.port, 0x99);
    EXPECT_TRUE(q.in);
    EXPECT_FALSE(q.immediate);
    auto const d = Io_qualification::decode(0x03f80000u | 3u | (1u << 4) | (1u << 5) | (1u << 6));
    EXPECT_EQ(d.size, 4);
    EXPECT_TRUE(d.string);
    EXPECT_TRUE(d.rep);
    EXPECT_TRUE(d.immediate);
    EXPECT_EQ(d.port, 0x3f8);
}

TEST(IoQualification, SizeEncoding2IsInvalid)
{
    EXPECT_FALSE(Io_qualification::decode(2).valid());
}

TEST(EptViolation, ReadOfUnmappedGpaFromBochsRun)
{
    // `EXIT reason=48 (EPT violation) qual=0x181`: read, linear valid, final translation.
    auto const q = Ept_violation_qualification::decode(0x181);
    EXPECT_TRUE(q.read);
    EXPECT_FALSE(q.write);
    EXPECT_FALSE(q.fetch);
    EXPECT_TRUE(q.not_present());
    EXPECT_TRUE(q.linear_valid);
    EXPECT_TRUE(q.final_translation);
}

TEST(EptViolation, WriteToReadOnlyMapping)
{
    auto const q = Ept_violation_qualification::decode(0x2 | 0x8 | 0x20);
    EXPECT_TRUE(q.write);
    EXPECT_TRUE(q.was_readable);
    EXPECT_TRUE(q.was_executable);
    EXPECT_FALSE(q.not_present());
}

TEST(InterruptionInfo, Decode)
{
    auto const i = Interruption_info::decode(0x80000b0e); // #PF, hardware exception, error code
    EXPECT_TRUE(i.valid);
    EXPECT_EQ(i.vector, 14);
    EXPECT_EQ(i.type, 3);
    EXPECT_TRUE(i.error_code_valid);
    EXPECT_FALSE(Interruption_info::decode(0x20).valid);
}

TEST(InstructionError, NamesAndReserved)
{
    EXPECT_STREQ(instruction_error_name(7), "VM entry with invalid control field(s)");
    EXPECT_STREQ(instruction_error_name(8), "VM entry with invalid host-state field(s)");
    EXPECT_STREQ(instruction_error_name(14), "reserved VM-instruction error");
    EXPECT_STREQ(instruction_error_name(28), "invalid operand to INVEPT/INVVPID");
    EXPECT_STREQ(instruction_error_name(1000), "reserved VM-instruction error");
}

} // namespace
} // namespace hv::vmx
