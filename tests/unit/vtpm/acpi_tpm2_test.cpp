// SPDX-License-Identifier: MIT
// The ACPI TPM2 table that hands a domain its event log (hv_vplatform, acpi_tpm2.hpp): exact
// bytes, checksum, its place in the XSDT, and refusals. Tables without a log are unchanged.
// And the eventlog_for= boot-module convention that brings the builder's log to the hypervisor.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "hv/module_cmdline.hpp"
#include "hv/vplatform/acpi_tables.hpp"
#include "hv/vplatform/acpi_tpm2.hpp"

using namespace hv::vplatform;

namespace
{

std::uint64_t le(std::vector<std::byte> const &b, std::size_t at, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v |= std::uint64_t(std::to_integer<std::uint8_t>(b[at + static_cast<std::size_t>(i)]))
             << (8 * i);
    return v;
}

std::string chars(std::vector<std::byte> const &b, std::size_t at, std::size_t n)
{
    return std::string(reinterpret_cast<char const *>(b.data()) + at, n);
}

TEST(Acpi_tpm2, TableBytesFollowTheTcgLayout)
{
    std::vector<std::byte> t(ACPI_TPM2_SIZE + 8, std::byte{0xcc});
    ASSERT_TRUE(write_acpi_tpm2(t, 0xf0000, 0x1234));
    EXPECT_EQ(chars(t, 0, 4), "TPM2");
    EXPECT_EQ(le(t, 4, 4), 76u); // length
    EXPECT_EQ(le(t, 8, 1), 4u);  // revision 4: LAML/LASA present
    EXPECT_EQ(chars(t, 10, 6), "WARDHV");
    EXPECT_EQ(le(t, 36, 2), 0u); // platform class client
    EXPECT_EQ(le(t, 38, 2), 0u); // reserved
    EXPECT_EQ(le(t, 40, 8), 0u); // no control area
    EXPECT_EQ(le(t, 48, 4), 6u); // start method: memory mapped
    for (std::size_t i = 52; i < 64; ++i)
        EXPECT_EQ(t[i], std::byte{0}) << i; // start method parameters
    EXPECT_EQ(le(t, 64, 4), 0x1234u);       // LAML
    EXPECT_EQ(le(t, 68, 8), 0xf0000u);      // LASA
    EXPECT_EQ(acpi_checksum(std::span<std::byte const>(t).first(76)), 0);
    EXPECT_EQ(t[76], std::byte{0xcc}) << "wrote past the table";
}

TEST(Acpi_tpm2, RefusesEmptyHugeOrWrappingLogsAndSmallBuffers)
{
    std::vector<std::byte> t(ACPI_TPM2_SIZE);
    EXPECT_EQ(write_acpi_tpm2(t, 0xf0000, 0).error(), Acpi_error::BAD_LOG);
    EXPECT_EQ(write_acpi_tpm2(t, 0, 100).error(), Acpi_error::BAD_LOG);
    EXPECT_EQ(write_acpi_tpm2(t, 0xf0000, ACPI_TPM2_MAX_LOG + 1).error(), Acpi_error::BAD_LOG);
    EXPECT_EQ(write_acpi_tpm2(t, ~std::uint64_t{0} - 10, 100).error(), Acpi_error::BAD_LOG);
    std::vector<std::byte> small(ACPI_TPM2_SIZE - 1);
    EXPECT_EQ(write_acpi_tpm2(small, 0xf0000, 100).error(), Acpi_error::BUFFER_TOO_SMALL);
    Acpi_config cfg{0xe0000, 1, 0xfee00000, 0xf0000, 0};
    cfg.tpm2_log_gpa = 0;
    cfg.tpm2_log_length = 10;
    std::vector<std::byte> buf(4096);
    EXPECT_EQ(build_acpi_tables(buf, cfg).error(), Acpi_error::BAD_LOG);
}

TEST(Acpi_tpm2, ListedInTheXsdtOnlyWithALog)
{
    constexpr std::uint64_t base = 0xe0000;
    Acpi_config plain{base, 2, 0xfee00000, 0, 0};
    Acpi_config with_log = plain;
    with_log.tpm2_log_gpa = 0xf0000;
    with_log.tpm2_log_length = 500;
    EXPECT_EQ(acpi_tables_size(plain), acpi_tables_size(2u));
    EXPECT_EQ(acpi_tables_size(with_log), ((acpi_tables_size(2u) + 15) & ~15u) + ACPI_TPM2_SIZE);

    std::vector<std::byte> a(acpi_tables_size(plain)), b(acpi_tables_size(with_log));
    auto const la = build_acpi_tables(a, plain);
    auto const lb = build_acpi_tables(b, with_log);
    ASSERT_TRUE(la && lb);
    EXPECT_EQ(lb->size, b.size());

    // From the RSDP to the XSDT, as a guest walks it.
    auto const xsdt_of = [&](std::vector<std::byte> const &t) { return le(t, 24, 8) - base; };
    auto const xa = xsdt_of(a), xb = xsdt_of(b);
    EXPECT_EQ(le(a, xa + 4, 4), 36u + 16);
    ASSERT_EQ(le(b, xb + 4, 4), 36u + 24);
    EXPECT_EQ(acpi_checksum(std::span<std::byte const>(b).subspan(xb, 60)), 0);
    auto const tpm2 = le(b, xb + 36 + 16, 8) - base;
    EXPECT_EQ(tpm2 % 16, 0u);
    EXPECT_EQ(chars(b, tpm2, 4), "TPM2");
    EXPECT_EQ(le(b, tpm2 + 64, 4), 500u);
    EXPECT_EQ(le(b, tpm2 + 68, 8), 0xf0000u);
    EXPECT_EQ(acpi_checksum(std::span<std::byte const>(b).subspan(tpm2, 76)), 0);
    // RSDP checksums still hold.
    EXPECT_EQ(acpi_checksum(std::span<std::byte const>(b).first(20)), 0);
    EXPECT_EQ(acpi_checksum(std::span<std::byte const>(b).first(36)), 0);

    // Every table but the XSDT is byte for byte what it is without a log.
    auto const fadt = le(a, xa + 36, 8) - base, madt = le(a, xa + 44, 8) - base;
    EXPECT_EQ(fadt, le(b, xb + 36, 8) - base);
    EXPECT_EQ(madt, le(b, xb + 44, 8) - base);
    EXPECT_TRUE(std::equal(a.begin() + static_cast<long>(fadt), a.end(),
                           b.begin() + static_cast<long>(fadt)));
}

} // namespace

// The boot-module convention that brings the builder's log to the hypervisor (boot_extras.hpp).

namespace
{

hv::Result<hv::Module_config, hv::Cmdline_failure> parse(char const *s)
{
    return hv::parse_module_cmdline(std::span<char const>(s, std::strlen(s)));
}

TEST(Eventlog_module, EventlogForNamesItsDomainAndNothingElse)
{
    auto const m = parse("eventlog_for=work");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->role, hv::Module_role::EVENTLOG);
    EXPECT_STREQ(m->owner.c_str(), "work");
    for (auto const *bad : {"eventlog_for=work mem=4M", "eventlog_for=work -- x",
                            "eventlog_for=work initrd_for=work", "initrd_for=work eventlog_for=w"})
        EXPECT_EQ(parse(bad).error().reason, hv::Cmdline_error::INITRD_WITH_DOMAIN_KEYS) << bad;
    EXPECT_EQ(parse("eventlog_for=Work").error().reason, hv::Cmdline_error::BAD_NAME);
    EXPECT_EQ(parse("eventlog_for=").error().reason, hv::Cmdline_error::EMPTY_VALUE);
    EXPECT_EQ(parse("eventlog_for=a eventlog_for=b").error().reason,
              hv::Cmdline_error::DUPLICATE_KEY);
    EXPECT_EQ(parse("initrd_for=work")->role, hv::Module_role::INITRD);
}

} // namespace
