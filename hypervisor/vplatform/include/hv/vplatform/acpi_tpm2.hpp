// SPDX-License-Identifier: MIT
// The ACPI TPM2 table (TCG ACPI Specification, Family "1.2" and "2.0", Level 00 Revision 00.37,
// section 7.3; table revision 4), used here only to hand a domain its TCG event log the way a
// Linux guest without EFI finds it: Log Area Minimum Length (LAML) and Log Area Start Address
// (LASA) point at guest memory holding the crypto-agile log the builder made (docs/builder.md).
// The TPM itself is reached over Xen's tpmif (xen-tpmfront), not through this table: platform
// class client, no control area, start method 6 (memory mapped, as for a TIS device).
// Layout, little-endian: 36-byte SDT header, u16 platform class @36, u16 reserved @38,
// u64 control area @40, u32 start method @48, 12 bytes start-method parameters @52, u32 LAML
// @64, u64 LASA @68; 76 bytes in all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"
#include "hv/vplatform/acpi_tables.hpp"

namespace hv::vplatform
{

inline constexpr size_t ACPI_TPM2_SIZE = 76;
inline constexpr uint32_t ACPI_TPM2_START_METHOD_MMIO = 6;
// Largest log accepted here (a builder log is a few hundred bytes).
inline constexpr uint32_t ACPI_TPM2_MAX_LOG = 256 * 1024;

// Writes the TPM2 table (checksummed) into out[0, ACPI_TPM2_SIZE). BAD_LOG for an empty or
// oversized log or one that wraps the address space; BUFFER_TOO_SMALL.
Result<void, Acpi_error> write_acpi_tpm2(std::span<std::byte> out, uint64_t log_gpa,
                                         uint32_t log_length);

} // namespace hv::vplatform
