// SPDX-License-Identifier: MIT
#include "hv/vplatform/acpi_tables.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace
{

using hv::vplatform::Acpi_config;
using hv::vplatform::Acpi_error;

uint32_t u32(std::vector<std::byte> const &b, size_t at)
{
    uint32_t v = 0;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}

uint64_t u64(std::vector<std::byte> const &b, size_t at)
{
    uint64_t v = 0;
    std::memcpy(&v, b.data() + at, 8);
    return v;
}

std::string sig(std::vector<std::byte> const &b, size_t at, size_t n = 4)
{
    return {reinterpret_cast<char const *>(b.data() + at), n};
}

struct Tables
{
    std::vector<std::byte> buf;
    uint64_t base;
    size_t at(uint64_t gpa) const { return static_cast<size_t>(gpa - base); }
};

Tables build(uint32_t vcpus, uint64_t base = 0xfc000000)
{
    Tables t{std::vector<std::byte>(hv::vplatform::acpi_tables_size(vcpus)), base};
    auto const r = hv::vplatform::build_acpi_tables(t.buf, Acpi_config{base, vcpus});
    EXPECT_TRUE(r);
    EXPECT_EQ(r->rsdp_gpa, base);
    EXPECT_EQ(r->size, t.buf.size());
    return t;
}

uint8_t checksum(Tables const &t, size_t at, size_t len)
{
    return hv::vplatform::acpi_checksum(std::span{t.buf}.subspan(at, len));
}

TEST(AcpiTables, RsdpPointsAtAnXsdtListingFadtAndMadt)
{
    Tables const t = build(2);
    EXPECT_EQ(sig(t.buf, 0, 8), "RSD PTR ");
    EXPECT_EQ(checksum(t, 0, 20), 0);
    EXPECT_EQ(checksum(t, 0, 36), 0);
    EXPECT_EQ(static_cast<uint8_t>(t.buf[15]), 2);
    size_t const xsdt = t.at(u64(t.buf, 24));
    EXPECT_EQ(sig(t.buf, xsdt), "XSDT");
    uint32_t const xlen = u32(t.buf, xsdt + 4);
    EXPECT_EQ(checksum(t, xsdt, xlen), 0);
    ASSERT_EQ((xlen - 36) / 8, 2u);
    size_t const fadt = t.at(u64(t.buf, xsdt + 36));
    size_t const madt = t.at(u64(t.buf, xsdt + 44));
    EXPECT_EQ(sig(t.buf, fadt), "FACP");
    EXPECT_EQ(sig(t.buf, madt), "APIC");
}

TEST(AcpiTables, FadtIsHardwareReducedWithADsdt)
{
    Tables const t = build(1);
    size_t const xsdt = t.at(u64(t.buf, 24));
    size_t const fadt = t.at(u64(t.buf, xsdt + 36));
    EXPECT_EQ(u32(t.buf, fadt + 4), 276u);
    EXPECT_EQ(static_cast<uint8_t>(t.buf[fadt + 8]), 6);
    EXPECT_EQ(checksum(t, fadt, 276), 0);
    EXPECT_NE(u32(t.buf, fadt + 112) & (1u << 20), 0u);
    size_t const dsdt = t.at(u64(t.buf, fadt + 140));
    EXPECT_EQ(u32(t.buf, fadt + 40), t.base + dsdt);
    EXPECT_EQ(sig(t.buf, dsdt), "DSDT");
    EXPECT_EQ(checksum(t, dsdt, u32(t.buf, dsdt + 4)), 0);
}

TEST(AcpiTables, MadtHasOneEnabledLocalApicPerVcpu)
{
    for (uint32_t vcpus : {1u, 4u, 255u}) {
        Tables const t = build(vcpus);
        size_t const xsdt = t.at(u64(t.buf, 24));
        size_t const madt = t.at(u64(t.buf, xsdt + 44));
        uint32_t const len = u32(t.buf, madt + 4);
        EXPECT_EQ(len, 44 + 8 * vcpus);
        EXPECT_EQ(checksum(t, madt, len), 0);
        EXPECT_EQ(u32(t.buf, madt + 36), 0xfee00000u);
        for (uint32_t i = 0; i < vcpus; ++i) {
            size_t const e = madt + 44 + 8 * i;
            EXPECT_EQ(static_cast<uint8_t>(t.buf[e]), 0);
            EXPECT_EQ(static_cast<uint8_t>(t.buf[e + 1]), 8);
            EXPECT_EQ(static_cast<uint8_t>(t.buf[e + 3]), i);
            EXPECT_EQ(u32(t.buf, e + 4), 1u);
        }
    }
}

TEST(AcpiTables, RefusesBadRequests)
{
    std::vector<std::byte> small(16);
    EXPECT_EQ(hv::vplatform::build_acpi_tables(small, Acpi_config{0, 1}).error(),
              Acpi_error::BUFFER_TOO_SMALL);
    std::vector<std::byte> buf(4096);
    EXPECT_EQ(hv::vplatform::build_acpi_tables(buf, Acpi_config{0, 0}).error(),
              Acpi_error::BAD_VCPU_COUNT);
    EXPECT_EQ(hv::vplatform::build_acpi_tables(buf, Acpi_config{0, 256}).error(),
              Acpi_error::BAD_VCPU_COUNT);
    EXPECT_EQ(hv::vplatform::build_acpi_tables(buf, Acpi_config{0x1008, 1}).error(),
              Acpi_error::BAD_BASE);
    EXPECT_EQ(hv::vplatform::build_acpi_tables(buf, Acpi_config{0xfffffff0, 1}).error(),
              Acpi_error::BAD_BASE);
}

} // namespace
