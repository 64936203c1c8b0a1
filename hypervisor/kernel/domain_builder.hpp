// SPDX-License-Identifier: MIT
// Builds a domain from a Multiboot2 boot module: module command line -> Domain_config, ELF image
// -> segments loaded at their physical addresses, hvm_start_info (Xen PVH, version 1) with
// command line and memory map, and a vCPU at the PVH entry point. Any problem refuses only this
// module's domain, with a log line naming the module and the reason.
#pragma once

#include <cstddef>
#include <span>

#include "hv/multiboot2.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// Layout of the page Ward puts after the image (docs/boot.md).
inline constexpr uint64_t START_INFO_OFFSET = 0;
inline constexpr uint64_t MEMMAP_OFFSET = 64;
inline constexpr uint64_t CMDLINE_OFFSET = 256;
inline constexpr uint64_t START_PAGE_BYTES = 4096;

// The guest's memory map (start_info and XENMEM_memory_map): RAM below 640 KiB, the legacy hole
// reserved, RAM from 1 MiB to the end of the domain's memory.
inline constexpr size_t GUEST_MEMMAP_ENTRIES = 3;
struct Guest_memmap_entry
{
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};
void guest_memmap(Domain const &d, Guest_memmap_entry (&out)[GUEST_MEMMAP_ENTRIES]);

// Builds the domain for module `index`; nullptr if it was refused (already logged).
Domain *build_domain_from_module(mb2::Info const &info, size_t index, uint64_t hv_start,
                                 uint64_t hv_end);

} // namespace hv::kernel
