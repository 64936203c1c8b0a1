// SPDX-License-Identifier: MIT
// acm_op (27, Xen's number for its ACM, later xsm_op): WARD_ACMOP_SET_POLICY loads a new binary
// policy at run time (docs/hypercalls.md 5.7, docs/policy.md "Reloading the policy"). Only a
// domain with the `policy` capability may; the blob is copied into hypervisor memory, verified
// completely, and only then put in force (acm_reload), after which the channels it forbids are
// revoked.
#include "kernel/acm_hooks.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "platform/log.hpp"
#include "ward/abi/acm.h"

namespace hv::kernel
{
namespace
{

using xen::Errno;

static_assert(WARD_ACM_POLICY_MAX == POLICY_MAX);
static_assert(static_cast<uint32_t>(xen::Hypercall::XSM_OP) == WARD_HC_ACM_OP);

alignas(8) std::byte blob[POLICY_MAX]; // the caller's bytes, copied before they are looked at

Errno errno_of(Reload_error e)
{
    switch (e) {
    case Reload_error::TOO_BIG: return Errno::XEN_E2BIG;
    case Reload_error::WALL_CONFLICT: return Errno::XEN_EBUSY;
    case Reload_error::INVALID: break;
    }
    return Errno::XEN_EINVAL;
}

} // namespace

Hypercall_result hc_acm_op(Domain &self, arch::Vcpu &v, Args const &a)
{
    if (!self.caps.has(Cap::POLICY_ADMIN)) {
        log("ward: acm: policy reload by domain %u '%s' refused: lacks capability 'policy'\n",
            self.id, self.name.c_str());
        return Hypercall_result::error(Errno::XEN_EPERM);
    }
    ward_acm_op op{};
    if (!read_guest(self, v, a.arg[0], &op, sizeof op))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    if (op.interface_version != WARD_ACM_INTERFACE_VERSION)
        return Hypercall_result::error(Errno::XEN_EACCES); // as Xen's domctl/acm_op
    if (op.cmd != WARD_ACMOP_SET_POLICY)
        return Hypercall_result::error(Errno::XEN_ENOSYS);
    if (op.size == 0)
        return Hypercall_result::error(Errno::XEN_EINVAL);
    if (op.size > WARD_ACM_POLICY_MAX) {
        log("ward: acm: policy reload by domain %u '%s' refused: %u bytes (at most %u)\n", self.id,
            self.name.c_str(), op.size, WARD_ACM_POLICY_MAX);
        return Hypercall_result::error(Errno::XEN_E2BIG);
    }
    if (!read_guest(self, v, op.policy, blob, op.size))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    auto const r = acm_reload({blob, op.size}, &self);
    if (!r)
        return Hypercall_result::error(errno_of(r.error()));
    op.revoked = r->revoked;
    if (!write_guest(self, v, a.arg[0], &op, sizeof op))
        return Hypercall_result::error(Errno::XEN_EFAULT); // the policy is in force regardless
    return {0};
}

} // namespace hv::kernel
