// SPDX-License-Identifier: MIT
// Handling of the normalized vCPU exits (everything but timer interrupts): CPUID with Xen's
// leaves, MSRs with the hypercall page MSR, port I/O, nested page faults (isolation), HLT, and
// the fatal ones.
#pragma once

#include "arch/vcpu_backend.hpp"
#include "kernel/domain.hpp"
#include "kernel/hypercall.hpp"

namespace hv::kernel
{

After handle_exit(Domain &d, arch::Vcpu &v, arch::Exit const &e);

} // namespace hv::kernel
