// SPDX-License-Identifier: MIT
// Layouts from the ACPI 6.0 specification, sections 5.2.5 (RSDP), 5.2.6 (SDT header), 5.2.8
// (XSDT), 5.2.9 (FADT), 5.2.12 (MADT).
#include "hv/vplatform/acpi_tables.hpp"

#include "hv/vplatform/acpi_tpm2.hpp"

namespace hv::vplatform
{
namespace
{

constexpr size_t RSDP_SIZE = 36;
constexpr size_t HEADER_SIZE = 36;
constexpr size_t FADT_SIZE = 276; // revision 6
constexpr size_t MADT_FIXED = HEADER_SIZE + 8;
constexpr size_t LAPIC_ENTRY = 8;
constexpr size_t XSDT_ENTRIES = 3; // room for FACP, APIC and TPM2 (same layout with 2)

// Offsets of each table inside the buffer, each 16-byte aligned.
constexpr size_t align16(size_t v)
{
    return (v + 15) & ~size_t{15};
}
constexpr size_t RSDP_AT = 0;
constexpr size_t XSDT_AT = align16(RSDP_AT + RSDP_SIZE);
constexpr size_t FADT_AT = align16(XSDT_AT + HEADER_SIZE + 8 * XSDT_ENTRIES);
constexpr size_t DSDT_AT = align16(FADT_AT + FADT_SIZE);
constexpr size_t MADT_AT = align16(DSDT_AT + HEADER_SIZE);

class Writer
{
  public:
    explicit Writer(std::span<std::byte> out) : out_{out} {}
    void bytes(size_t at, char const *s, size_t n) { __builtin_memcpy(out_.data() + at, s, n); }
    void u8(size_t at, uint8_t v) { out_[at] = std::byte{v}; }
    void u16(size_t at, uint16_t v) { le(at, v, 2); }
    void u32(size_t at, uint32_t v) { le(at, v, 4); }
    void u64(size_t at, uint64_t v) { le(at, v, 8); }
    std::span<std::byte> span(size_t at, size_t n) { return out_.subspan(at, n); }

    // The common 36-byte header; the checksum is fixed up by seal().
    void header(size_t at, char const *sig, uint32_t length, uint8_t revision)
    {
        bytes(at, sig, 4);
        u32(at + 4, length);
        u8(at + 8, revision);
        bytes(at + 10, "WARDHV", 6);
        bytes(at + 16, "WARDPVH ", 8);
        u32(at + 24, 1);
        bytes(at + 28, "WARD", 4);
        u32(at + 32, 1);
    }
    void seal(size_t at, size_t length, size_t checksum_at)
    {
        u8(checksum_at, 0);
        u8(checksum_at, static_cast<uint8_t>(0x100 - acpi_checksum(span(at, length))));
    }

  private:
    void le(size_t at, uint64_t v, int n)
    {
        for (int i = 0; i < n; ++i)
            out_[at + static_cast<size_t>(i)] = std::byte(static_cast<uint8_t>(v >> (8 * i)));
    }
    std::span<std::byte> out_;
};

void write_rsdp(Writer &w, uint64_t base)
{
    w.bytes(RSDP_AT, "RSD PTR ", 8);
    w.bytes(RSDP_AT + 9, "WARDHV", 6);
    w.u8(RSDP_AT + 15, 2);  // revision 2: ACPI 2.0+, XSDT valid
    w.u32(RSDP_AT + 16, 0); // no RSDT
    w.u32(RSDP_AT + 20, RSDP_SIZE);
    w.u64(RSDP_AT + 24, base + XSDT_AT);
    w.seal(RSDP_AT, 20, RSDP_AT + 8);         // checksum over the ACPI 1.0 part
    w.seal(RSDP_AT, RSDP_SIZE, RSDP_AT + 32); // extended checksum over all of it
}

size_t madt_end(uint32_t vcpus)
{
    return MADT_AT + MADT_FIXED + LAPIC_ENTRY * vcpus;
}

// The TPM2 table, when there is one, follows the MADT.
size_t tpm2_at(uint32_t vcpus)
{
    return align16(madt_end(vcpus));
}

void write_xsdt(Writer &w, Acpi_config const &cfg)
{
    bool const tpm2 = cfg.tpm2_log_length != 0;
    auto const len = static_cast<uint32_t>(HEADER_SIZE + 8 * (tpm2 ? 3 : 2));
    w.header(XSDT_AT, "XSDT", len, 1);
    w.u64(XSDT_AT + HEADER_SIZE, cfg.base_gpa + FADT_AT);
    w.u64(XSDT_AT + HEADER_SIZE + 8, cfg.base_gpa + MADT_AT);
    if (tpm2)
        w.u64(XSDT_AT + HEADER_SIZE + 16, cfg.base_gpa + tpm2_at(cfg.vcpus));
    w.seal(XSDT_AT, len, XSDT_AT + 9);
}

void write_fadt(Writer &w, uint64_t base)
{
    constexpr uint32_t HW_REDUCED_ACPI = 1u << 20;
    constexpr uint16_t VGA_NOT_PRESENT = 1u << 2;
    constexpr uint16_t CMOS_RTC_NOT_PRESENT = 1u << 5;
    w.header(FADT_AT, "FACP", FADT_SIZE, 6);
    w.u32(FADT_AT + 40, static_cast<uint32_t>(base + DSDT_AT));   // DSDT (32-bit)
    w.u16(FADT_AT + 109, VGA_NOT_PRESENT | CMOS_RTC_NOT_PRESENT); // IAPC_BOOT_ARCH
    w.u32(FADT_AT + 112, HW_REDUCED_ACPI);                        // Flags
    w.u8(FADT_AT + 131, 0);                                       // FADT minor version: 6.0
    w.u64(FADT_AT + 140, base + DSDT_AT);                         // X_DSDT
    w.bytes(FADT_AT + 268, "WardHV  ", 8);                        // hypervisor vendor identity
    w.seal(FADT_AT, FADT_SIZE, FADT_AT + 9);
}

void write_dsdt(Writer &w)
{
    // An empty definition block: no devices, no methods.
    w.header(DSDT_AT, "DSDT", HEADER_SIZE, 2);
    w.seal(DSDT_AT, HEADER_SIZE, DSDT_AT + 9);
}

void write_madt(Writer &w, Acpi_config const &cfg)
{
    auto const len = static_cast<uint32_t>(MADT_FIXED + LAPIC_ENTRY * cfg.vcpus);
    w.header(MADT_AT, "APIC", len, 4);
    w.u32(MADT_AT + 36, cfg.lapic_base);
    w.u32(MADT_AT + 40, 0); // no PCAT_COMPAT: there is no 8259 pair
    for (uint32_t i = 0; i < cfg.vcpus; ++i) {
        size_t const e = MADT_AT + MADT_FIXED + LAPIC_ENTRY * i;
        w.u8(e, 0); // Processor Local APIC
        w.u8(e + 1, LAPIC_ENTRY);
        w.u8(e + 2, static_cast<uint8_t>(i)); // ACPI processor UID
        w.u8(e + 3, static_cast<uint8_t>(i)); // APIC ID
        w.u32(e + 4, 1);                      // enabled
    }
    w.seal(MADT_AT, len, MADT_AT + 9);
}

} // namespace

char const *acpi_error_name(Acpi_error e)
{
    switch (e) {
    case Acpi_error::BUFFER_TOO_SMALL: return "buffer too small for the ACPI tables";
    case Acpi_error::BAD_VCPU_COUNT: return "vCPU count must be 1..255";
    case Acpi_error::BAD_BASE:
        return "ACPI base must be 16-byte aligned and the tables below 4 GiB";
    case Acpi_error::BAD_LOG: return "TPM event log area is empty, too large or wraps";
    }
    return "unknown ACPI error";
}

size_t acpi_tables_size(uint32_t vcpus)
{
    return madt_end(vcpus);
}

size_t acpi_tables_size(Acpi_config const &cfg)
{
    return cfg.tpm2_log_length != 0 ? tpm2_at(cfg.vcpus) + ACPI_TPM2_SIZE : madt_end(cfg.vcpus);
}

uint8_t acpi_checksum(std::span<std::byte const> bytes)
{
    uint8_t sum = 0;
    for (std::byte const b : bytes)
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(b));
    return sum;
}

Result<Acpi_layout, Acpi_error> build_acpi_tables(std::span<std::byte> out, Acpi_config const &cfg)
{
    if (cfg.vcpus == 0 || cfg.vcpus > ACPI_MAX_VCPUS)
        return unexpected(Acpi_error::BAD_VCPU_COUNT);
    size_t const size = acpi_tables_size(cfg);
    if ((cfg.base_gpa & 15) != 0 || cfg.base_gpa + size > 0xffffffffu)
        return unexpected(Acpi_error::BAD_BASE);
    if (out.size() < size)
        return unexpected(Acpi_error::BUFFER_TOO_SMALL);
    for (auto &b : out.first(size))
        b = std::byte{0};
    Writer w{out};
    write_dsdt(w);
    write_fadt(w, cfg.base_gpa);
    write_madt(w, cfg);
    if (cfg.tpm2_log_length != 0) {
        if (auto const t = write_acpi_tpm2(out.subspan(tpm2_at(cfg.vcpus)), cfg.tpm2_log_gpa,
                                           cfg.tpm2_log_length);
            !t)
            return unexpected(t.error());
    }
    write_xsdt(w, cfg);
    write_rsdp(w, cfg.base_gpa);
    return Acpi_layout{cfg.base_gpa + RSDP_AT, size};
}

} // namespace hv::vplatform
