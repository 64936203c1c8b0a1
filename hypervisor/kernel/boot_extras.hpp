// SPDX-License-Identifier: MIT
// What a Linux PVH domain needs beyond its ELF image (docs/boot.md, docs/linux-guest.md): its
// initial ramdisk, given as a separate boot module `initrd_for=<domain name>` and handed over as
// hvm_start_info module 0, and ACPI tables (RSDP, XSDT, hardware-reduced FADT, DSDT, MADT from
// hv_vplatform) in the reserved legacy window, pointed at by hvm_start_info.rsdp_paddr. A boot
// module `eventlog_for=<domain name>` (the TCG event log `ward measure --event-log` wrote) is
// copied into that window too, and an ACPI TPM2 table points at it (LASA/LAML), which is where a
// Linux guest without EFI reads its TPM event log (docs/builder.md §3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/module_cmdline.hpp"
#include "hv/multiboot2.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// Guest-physical home of the ACPI tables: inside 0xA0000..0xFFFFF, which the memory map marks
// reserved (so the guest never reuses it) and where Linux's legacy RSDP scan looks as well.
inline constexpr uint64_t ACPI_TABLES_GPA = 0xe0000;
inline constexpr uint64_t ACPI_TABLES_MAX = 0x10000;
// The domain's event log, in the upper half of the same reserved window.
inline constexpr uint64_t EVENT_LOG_GPA = 0xf0000;
inline constexpr uint64_t EVENT_LOG_MAX = 0x10000;

// Where the module list sits in the start page (after the memory map, before the command line).
inline constexpr uint64_t MODLIST_OFFSET = 192;

// The initrd module of domain `name`: empty span if there is none. `error` is set (and the
// result empty) when there is more than one, or the module is not in usable memory.
std::span<std::byte const> find_initrd(mb2::Info const &info, Domain_name const &name,
                                       uint64_t hv_start, uint64_t hv_end, char const *&error);

// The same for the domain's event log module (eventlog_for=); also an error when it is larger
// than EVENT_LOG_MAX.
std::span<std::byte const> find_eventlog(mb2::Info const &info, Domain_name const &name,
                                         uint64_t hv_start, uint64_t hv_end, char const *&error);

// True if some module builds a domain named `owner` (an initrd nobody claims is refused).
bool domain_module_named(mb2::Info const &info, Domain_name const &owner);

// Writes the ACPI tables for one vCPU at ACPI_TABLES_GPA and, when `eventlog` is not empty, the
// log at EVENT_LOG_GPA with a TPM2 table pointing at it; returns the RSDP's GPA, 0 on failure.
uint64_t write_acpi_tables(Domain &d, std::span<std::byte const> eventlog = {});

} // namespace hv::kernel
