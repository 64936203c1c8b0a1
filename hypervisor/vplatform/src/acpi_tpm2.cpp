// SPDX-License-Identifier: MIT
// The ACPI TPM2 table with an event log area (see acpi_tpm2.hpp).
#include "hv/vplatform/acpi_tpm2.hpp"

namespace hv::vplatform
{
namespace
{

void put(std::span<std::byte> out, size_t at, uint64_t v, int n)
{
    for (int i = 0; i < n; ++i)
        out[at + static_cast<size_t>(i)] = std::byte(static_cast<uint8_t>(v >> (8 * i)));
}

void put_chars(std::span<std::byte> out, size_t at, char const *s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        out[at + i] = std::byte(static_cast<uint8_t>(s[i]));
}

} // namespace

Result<void, Acpi_error> write_acpi_tpm2(std::span<std::byte> out, uint64_t log_gpa,
                                         uint32_t log_length)
{
    if (log_length == 0 || log_length > ACPI_TPM2_MAX_LOG || log_gpa == 0 ||
        log_gpa > ~uint64_t{0} - log_length)
        return unexpected(Acpi_error::BAD_LOG);
    if (out.size() < ACPI_TPM2_SIZE)
        return unexpected(Acpi_error::BUFFER_TOO_SMALL);
    auto const t = out.first(ACPI_TPM2_SIZE);
    for (auto &b : t)
        b = std::byte{0};
    put_chars(t, 0, "TPM2", 4);
    put(t, 4, ACPI_TPM2_SIZE, 4);
    put(t, 8, 4, 1); // revision 4: the log area fields exist
    put_chars(t, 10, "WARDHV", 6);
    put_chars(t, 16, "WARDPVH ", 8);
    put(t, 24, 1, 4);
    put_chars(t, 28, "WARD", 4);
    put(t, 32, 1, 4);
    put(t, 36, 0, 2); // platform class: client
    put(t, 40, 0, 8); // no control area: the TPM is reached over tpmif
    put(t, 48, ACPI_TPM2_START_METHOD_MMIO, 4);
    put(t, 64, log_length, 4); // LAML
    put(t, 68, log_gpa, 8);    // LASA
    put(t, 9, static_cast<uint8_t>(0x100 - acpi_checksum(t)), 1);
    return {};
}

} // namespace hv::vplatform
