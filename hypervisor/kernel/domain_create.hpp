// SPDX-License-Identifier: MIT
// The one construction path for domains, shared by boot modules (domain_builder.cpp) and
// WARD_DOMCTL create (hc_domctl_create.cpp): an already parsed Domain_config and an ELF image in
// hypervisor memory -> guest RAM charged to the domain's account, segments loaded at their
// physical addresses, ACPI tables, hvm_start_info (Xen PVH, version 1), the ACM Chinese Wall
// check (channels_domain_started) and a vCPU at the PVH entry point. Every refusal is logged as
// "ward: <what> refused: <reason>" and returned as a Xen errno.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/module_cmdline.hpp"
#include "hv/result.hpp"
#include "hv/xen_abi.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// Frames a domain may hold besides its RAM: nested page-table pages, VMCB/VMCS, shared pages.
inline constexpr uint64_t DOMAIN_OVERHEAD_FRAMES = 32;
uint64_t account_limit_frames(uint64_t mem_bytes);

struct Domain_source
{
    char const *what; // "module 2 '...'" or "domctl create by domain 1 '...'", for log lines
    Domain_config const &cfg;
    std::span<std::byte const> image;  // the ELF file (hypervisor memory, not the guest's)
    std::span<std::byte const> initrd; // hvm_start_info module 0; may be empty
    // The TCG event log for the ACPI TPM2 table (boot_extras.hpp); may be empty.
    std::span<std::byte const> eventlog{};
};

// XEN_EINVAL (guest command line too long), XEN_ENOEXEC (bad ELF or PVH note), XEN_E2BIG
// (mem= over Ward's maximum, image or initrd does not fit in mem=), XEN_ENOMEM (host memory or
// the domain's account), XEN_ENOSPC (domain table full), XEN_EACCES (ACM policy).
Result<Domain *, xen::Errno> create_domain(Domain_source const &src);

void refuse(char const *what, char const *reason);

} // namespace hv::kernel
