// SPDX-License-Identifier: MIT
// WARD_DOMCTL_CREATE: a domain built at run time from an ELF image and a module command line in
// the caller's memory (docs/hypercalls.md 5.5). hc_domctl has already checked the header and the
// caller's `create` capability.
#pragma once

#include "arch/vcpu_backend.hpp"
#include "hv/result.hpp"
#include "hv/xen_abi.hpp"
#include "kernel/domain.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{

// The new domain's id, or XEN_EINVAL (sizes, command line, not a domain), XEN_EFAULT (unreadable
// buffer), XEN_EPERM (caps= outside the caller's own), or create_domain's errors.
Result<uint16_t, xen::Errno> domctl_create(Domain &self, arch::Vcpu &v,
                                           ward_domctl_create const &req);

} // namespace hv::kernel
