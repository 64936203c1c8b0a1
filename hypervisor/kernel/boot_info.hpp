// SPDX-License-Identifier: MIT
// The boot information the loader hands over: Multiboot2 (GRUB) as it is, or Multiboot 1 (QEMU's
// -kernel/-initrd) re-encoded as Multiboot2, so every later step has one path (docs/boot.md).
#pragma once

#include <cstdint>

#include "hv/multiboot2.hpp"
#include "hv/result.hpp"

namespace hv::kernel
{

struct Boot_info
{
    mb2::Info info;
    uint64_t info_pa; // physical address of the Multiboot2 block (reserved by memory_init)
};

// `magic` and `info_pa` as the entry stub received them (EAX, EBX). The error says why the
// run cannot continue.
Result<Boot_info, char const *> read_boot_info(uint32_t magic, uint64_t info_pa);

} // namespace hv::kernel
