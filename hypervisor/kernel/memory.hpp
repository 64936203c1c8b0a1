// SPDX-License-Identifier: MIT
// Physical memory of the machine: the frame allocator (hv core) built from the Multiboot2
// memory map, with the hypervisor image, the boot information and every module reserved, and the
// Page_provider the virtualization backend allocates from.
#pragma once

#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "hv/frame_allocator.hpp"
#include "hv/multiboot2.hpp"

namespace hv::kernel
{

// Builds the allocator. Frames above the hypervisor's identity map (4 GiB) are not used yet.
Result<void, Frame_allocator::Error> memory_init(mb2::Info const &info, uint64_t info_pa);

Frame_allocator &frames();

// 2^order zeroed contiguous frames.
Result<uint64_t, Frame_allocator::Error> alloc_zeroed(unsigned order);

arch::Page_provider &page_provider();

// Temporary hypervisor buffers (2^order zeroed frames), e.g. the copy of a guest-supplied image.
Result<uint64_t, Frame_allocator::Error> alloc_scratch(unsigned order);
void free_scratch(uint64_t pa, unsigned order);

} // namespace hv::kernel
