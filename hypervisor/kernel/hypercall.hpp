// SPDX-License-Identifier: MIT
// The hypercall dispatcher: Xen's calling convention and numbers (docs/hypercalls.md), decoded
// and validated by hv core's hv/hypercall_args.hpp. 64-bit guests pass the number in RAX and
// arguments in RDI, RSI, RDX, R10, R8; 32-bit guests in EAX and EBX, ECX, EDX, ESI, EDI. The
// result goes to RAX (a negated Xen errno on error).
#pragma once

#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "hv/hypercall_args.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// What the scheduler must do after the hypercall.
enum class After : uint8_t
{
    RESUME,     // run the same vCPU again
    YIELD,      // give up the rest of the time slice
    DESCHEDULE, // the domain is no longer runnable (blocked, paused, shut down, destroyed)
};

xen::Hypercall_args decode_hypercall(arch::Vcpu const &v);

// Runs the hypercall the vCPU of `self` made, sets its RAX and moves RIP past the instruction.
After handle_hypercall(Domain &self, arch::Vcpu &v);

} // namespace hv::kernel
