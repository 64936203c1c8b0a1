// SPDX-License-Identifier: MIT
// One handler per Xen hypercall Ward implements (docs/hypercalls.md).
#pragma once

#include <cstdint>

#include "kernel/hypercall.hpp"

namespace hv::kernel
{

struct Hypercall_result
{
    int64_t value;
    After after;
};

Hypercall_result hc_console_io(Domain &self, arch::Vcpu &v, Hypercall_args const &a);
Hypercall_result hc_sched_op(Domain &self, arch::Vcpu &v, Hypercall_args const &a);
Hypercall_result hc_xen_version(Domain &self, arch::Vcpu &v, Hypercall_args const &a);
Hypercall_result hc_memory_op(Domain &self, arch::Vcpu &v, Hypercall_args const &a);
Hypercall_result hc_domctl(Domain &self, arch::Vcpu &v, Hypercall_args const &a);

} // namespace hv::kernel
