// SPDX-License-Identifier: MIT
// The virtual LAPIC through the sequence Linux 6.1 runs as a PVH guest (linux-pvh-guest.md 2.2,
// 4.2), then the architectural corner cases a hostile guest could try.
#include "hv/vplatform/vlapic.hpp"

#include <gtest/gtest.h>

namespace
{

using hv::vplatform::Lapic_error;
using hv::vplatform::Vlapic;

constexpr uint64_t XAPIC = 0xfee00000 | Vlapic::BASE_BSP | Vlapic::BASE_EN;
constexpr uint64_t X2APIC = XAPIC | Vlapic::BASE_EXTD;

TEST(Vlapic, LinuxBootSequence)
{
    Vlapic apic{0};
    EXPECT_EQ(apic.apic_base(), 0xfee00900u);
    // Early xAPIC MMIO reads of ID and version.
    EXPECT_EQ(*apic.read_mmio(0x20), 0u);
    EXPECT_EQ(*apic.read_mmio(0x30), 0x50014u);
    // Switch to x2APIC (0xFEE00D00).
    ASSERT_TRUE(apic.write_apic_base(X2APIC));
    EXPECT_TRUE(apic.x2apic());
    EXPECT_EQ(*apic.read_msr(0x802), 0u);
    EXPECT_EQ(*apic.read_msr(0x803), 0x50014u);
    EXPECT_EQ(*apic.read_msr(0x80d), 1u); // LDR derived from ID 0
    ASSERT_TRUE(apic.write_msr(0x808, 0));
    ASSERT_TRUE(apic.write_msr(0x80f, 0x1ff)); // SVR: enable, spurious 0xff
    for (uint32_t msr = 0x810; msr <= 0x827; ++msr)
        EXPECT_TRUE(apic.read_msr(msr)) << std::hex << msr;
    ASSERT_TRUE(apic.write_msr(0x835, 0x700)); // LINT0 ExtINT
    ASSERT_TRUE(apic.write_msr(0x837, 0xfe));  // error vector
    // The upcall vector arrives, is injected, and Linux EOIs it.
    apic.request(0xf3);
    ASSERT_EQ(apic.deliverable(), 0xf3);
    apic.accept(0xf3);
    EXPECT_EQ(apic.deliverable(), std::nullopt);
    EXPECT_EQ(*apic.read_msr(0x817) >> 19 & 1, 1u); // ISR bit 0xf3 = 7*32 + 19
    ASSERT_TRUE(apic.write_msr(0x80b, 0));
    EXPECT_EQ(*apic.read_msr(0x817), 0u);
    EXPECT_EQ(apic.eois(), 1u);
}

TEST(Vlapic, PriorityAndNesting)
{
    Vlapic apic{3};
    ASSERT_TRUE(apic.write_mmio(0xf0, 0x1ff));
    apic.request(0x41);
    apic.request(0x92);
    ASSERT_EQ(apic.deliverable(), 0x92);
    apic.accept(0x92);
    // 0x41 is below the in-service class 0x90: held back until EOI.
    EXPECT_EQ(apic.deliverable(), std::nullopt);
    EXPECT_EQ(*apic.read_mmio(0xa0), 0x90u); // PPR
    ASSERT_TRUE(apic.write_mmio(0xb0, 0));
    EXPECT_EQ(apic.deliverable(), 0x41);
    // TPR masks a class.
    ASSERT_TRUE(apic.write_mmio(0x80, 0x50));
    EXPECT_EQ(apic.deliverable(), std::nullopt);
    ASSERT_TRUE(apic.write_mmio(0x80, 0x30));
    EXPECT_EQ(apic.deliverable(), 0x41);
}

TEST(Vlapic, SoftwareDisabledApicDeliversNothing)
{
    Vlapic apic{0};
    apic.request(0x40);
    EXPECT_EQ(apic.deliverable(), std::nullopt); // SVR bit 8 clear after reset
    ASSERT_TRUE(apic.write_mmio(0xf0, 0x100));
    EXPECT_EQ(apic.deliverable(), 0x40);
}

TEST(Vlapic, SelfIpi)
{
    Vlapic apic{0};
    ASSERT_TRUE(apic.write_apic_base(X2APIC));
    ASSERT_TRUE(apic.write_msr(0x80f, 0x100));
    ASSERT_TRUE(apic.write_msr(0x83f, 0x55));
    EXPECT_EQ(apic.deliverable(), 0x55);
    ASSERT_TRUE(apic.write_msr(0x830, (1u << 18) | 0x66)); // ICR, shorthand self
    EXPECT_EQ(apic.deliverable(), 0x66);
    EXPECT_EQ(apic.write_msr(0x83f, 0x100).error(), Lapic_error::BAD_VALUE);
    apic.request(3); // illegal vector: error status, no interrupt
    EXPECT_EQ(*apic.read_msr(0x828) & (1u << 6), 1u << 6);
}

TEST(Vlapic, ModeRulesOfTheArchitecture)
{
    Vlapic apic{0};
    EXPECT_EQ(apic.read_msr(0x802).error(), Lapic_error::WRONG_MODE); // xAPIC mode
    ASSERT_TRUE(apic.write_apic_base(X2APIC));
    EXPECT_EQ(apic.read_mmio(0x20).error(), Lapic_error::WRONG_MODE);
    // x2APIC -> xAPIC directly is invalid; through disabled it is fine.
    EXPECT_EQ(apic.write_apic_base(XAPIC).error(), Lapic_error::BAD_VALUE);
    ASSERT_TRUE(apic.write_apic_base(0xfee00000 | Vlapic::BASE_BSP));
    EXPECT_EQ(apic.write_apic_base(X2APIC).error(), Lapic_error::BAD_VALUE);
    ASSERT_TRUE(apic.write_apic_base(XAPIC));
    // EXTD without EN, relocation, reserved bits, changing BSP.
    EXPECT_EQ(apic.write_apic_base(0xfee00000 | Vlapic::BASE_BSP | Vlapic::BASE_EXTD).error(),
              Lapic_error::BAD_VALUE);
    EXPECT_EQ(apic.write_apic_base(0xfec00000 | Vlapic::BASE_BSP | Vlapic::BASE_EN).error(),
              Lapic_error::BAD_VALUE);
    EXPECT_EQ(apic.write_apic_base(XAPIC | 1).error(), Lapic_error::BAD_VALUE);
    EXPECT_EQ(apic.write_apic_base(0xfee00000 | Vlapic::BASE_EN).error(), Lapic_error::BAD_VALUE);
}

TEST(Vlapic, ReservedAndReadOnlyRegisters)
{
    Vlapic apic{0x21};
    ASSERT_TRUE(apic.write_apic_base(X2APIC));
    EXPECT_EQ(*apic.read_msr(0x802), 0x21u);
    EXPECT_EQ(*apic.read_msr(0x80d), (2u << 16) | (1u << 1));       // cluster 2, bit 1
    EXPECT_EQ(apic.read_msr(0x80b).error(), Lapic_error::RESERVED); // EOI is write-only
    EXPECT_EQ(apic.read_msr(0x80e).error(), Lapic_error::RESERVED); // no DFR in x2APIC
    EXPECT_EQ(apic.read_msr(0x831).error(), Lapic_error::RESERVED); // no ICR2 in x2APIC
    EXPECT_EQ(apic.read_msr(0x8ff).error(), Lapic_error::RESERVED);
    EXPECT_EQ(apic.read_msr(0x900).error(), Lapic_error::RESERVED);
    EXPECT_EQ(apic.write_msr(0x802, 5).error(), Lapic_error::RESERVED);
    EXPECT_EQ(apic.write_msr(0x80d, 5).error(), Lapic_error::RESERVED);
    EXPECT_EQ(apic.write_msr(0x80b, 1).error(), Lapic_error::BAD_VALUE);
    EXPECT_EQ(apic.write_msr(0x808, uint64_t{1} << 32).error(), Lapic_error::BAD_VALUE);
    EXPECT_TRUE(apic.write_msr(0x830, uint64_t{7} << 32 | 0x4000)); // ICR takes 64 bits
}

TEST(Vlapic, MmioOffsetsAreChecked)
{
    Vlapic apic{1};
    EXPECT_EQ(*apic.read_mmio(0x20), 1u << 24);
    EXPECT_EQ(apic.read_mmio(0x24).error(), Lapic_error::RESERVED);
    EXPECT_EQ(apic.read_mmio(0x1000).error(), Lapic_error::RESERVED);
    EXPECT_EQ(apic.read_mmio(0x400).error(), Lapic_error::RESERVED);
    EXPECT_TRUE(apic.write_mmio(0x30, 0)); // write to VERSION is ignored
    EXPECT_EQ(*apic.read_mmio(0x30), 0x50014u);
    EXPECT_TRUE(apic.write_mmio(0xd0, 0xff000000));
    EXPECT_EQ(*apic.read_mmio(0xd0), 0xff000000u);
}

} // namespace
