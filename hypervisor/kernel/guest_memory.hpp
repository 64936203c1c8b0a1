// SPDX-License-Identifier: MIT
// Hypervisor access to a domain's memory. Guest-physical accesses are bounds-checked against the
// domain's RAM; guest-virtual addresses (hypercall buffers, as in Xen's HVM ABI) are translated
// through the guest's own page tables when paging is on (4-level long mode), and are equal to
// guest-physical ones when it is off. Every failure is a false: the caller answers -EFAULT.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

bool read_guest_phys(Domain const &d, uint64_t gpa, void *dst, size_t len);
bool write_guest_phys(Domain &d, uint64_t gpa, void const *src, size_t len);

bool read_guest(Domain const &d, arch::Vcpu const &v, uint64_t gva, void *dst, size_t len);
bool write_guest(Domain &d, arch::Vcpu const &v, uint64_t gva, void const *src, size_t len);

} // namespace hv::kernel
