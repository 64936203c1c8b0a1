// SPDX-License-Identifier: MIT
// Intel VMX backend entry point: checks VMX, IA32_FEATURE_CONTROL and the capability MSRs, and
// returns the Backend singleton, or an error after logging exactly what this CPU lacks.
#pragma once

#include "arch/vcpu_backend.hpp"

namespace hv::arch::vmx
{

Result<Backend *, Error> create_backend(Page_provider &pages);

} // namespace hv::arch::vmx
