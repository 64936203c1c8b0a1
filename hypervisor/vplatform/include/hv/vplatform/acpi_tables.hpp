// SPDX-License-Identifier: MIT
// ACPI tables for a PVH guest: RSDP 2.0, XSDT, a hardware-reduced FADT 6.0 with an empty DSDT, and
// a MADT with one Local APIC per vCPU and no IO-APIC. Linux needs the MADT to pick symmetric I/O
// mode and so its Xen timer; hardware-reduced mode drops the legacy PIC and PIT paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"

namespace hv::vplatform
{

struct Acpi_config
{
    uint64_t base_gpa = 0; // where the caller copies the buffer in guest memory
    uint32_t vcpus = 1;    // one Local APIC entry each, APIC IDs 0..vcpus-1
    uint32_t lapic_base = 0xfee00000;
    // A TCG event log already in guest memory: with a non-zero length the tables include a TPM2
    // table (acpi_tpm2.hpp) whose LASA/LAML point at it, listed in the XSDT after the MADT.
    uint64_t tpm2_log_gpa = 0;
    uint32_t tpm2_log_length = 0;
};

struct Acpi_layout
{
    uint64_t rsdp_gpa; // goes to hvm_start_info.rsdp_paddr
    size_t size;       // bytes of the buffer used
};

enum class Acpi_error : uint8_t
{
    BUFFER_TOO_SMALL,
    BAD_VCPU_COUNT,
    BAD_BASE,
    BAD_LOG
};

char const *acpi_error_name(Acpi_error e);

inline constexpr uint32_t ACPI_MAX_VCPUS = 255; // xAPIC IDs in type-0 MADT entries

// Writes every table into `out` with checksums, as if `out` sat at cfg.base_gpa (16-byte aligned).
Result<Acpi_layout, Acpi_error> build_acpi_tables(std::span<std::byte> out, Acpi_config const &cfg);

// Bytes build_acpi_tables needs for `vcpus` (no TPM2 table), and for a whole configuration.
size_t acpi_tables_size(uint32_t vcpus);
size_t acpi_tables_size(Acpi_config const &cfg);

// Sum of bytes mod 256: 0 for a table with a correct checksum.
uint8_t acpi_checksum(std::span<std::byte const> bytes);

} // namespace hv::vplatform
