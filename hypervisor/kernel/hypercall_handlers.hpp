// SPDX-License-Identifier: MIT
// One handler per Xen hypercall Ward implements (docs/hypercalls.md). Each follows the same
// shape: decode (hv core) -> check capability -> validate guest memory -> act -> a value or errno.
#pragma once

#include <cstdint>

#include "hv/xen_abi.hpp"
#include "kernel/hypercall.hpp"

namespace hv::kernel
{

struct Hypercall_result
{
    int64_t value;
    After after = After::RESUME;

    static Hypercall_result error(xen::Errno e)
    {
        return {-static_cast<int64_t>(e), After::RESUME};
    }
};

using Args = xen::Hypercall_args;

Hypercall_result hc_console_io(Domain &self, arch::Vcpu &v, Args const &a);
Hypercall_result hc_sched_op(Domain &self, arch::Vcpu &v, Args const &a);
Hypercall_result hc_xen_version(Domain &self, arch::Vcpu &v, Args const &a);
Hypercall_result hc_memory_op(Domain &self, arch::Vcpu &v, Args const &a);
Hypercall_result hc_domctl(Domain &self, arch::Vcpu &v, Args const &a);
// Inter-domain channels (docs/channels.md): hc_event_channel.cpp, hc_grant_table.cpp, hc_hvm.cpp.
Hypercall_result hc_event_channel_op(Domain &self, arch::Vcpu &v, Args const &a);
Hypercall_result hc_grant_table_op(Domain &self, arch::Vcpu &v, Args const &a);
Hypercall_result hc_hvm_op(Domain &self, arch::Vcpu &v, Args const &a);
Hypercall_result hc_add_to_physmap(Domain &self, arch::Vcpu &v, uint64_t arg);
// Run-time ACM policy reload (docs/policy.md): hc_acm_op.cpp.
Hypercall_result hc_acm_op(Domain &self, arch::Vcpu &v, Args const &a);
// PVH vCPU interface (docs/linux-guest.md): hc_vcpu_op.cpp.
Hypercall_result hc_vcpu_op(Domain &self, arch::Vcpu &v, Args const &a);
// Refreshes the pvclock (shared_info and registered vcpu_info) and the wall clock.
void publish_guest_time(Domain &d);

} // namespace hv::kernel
