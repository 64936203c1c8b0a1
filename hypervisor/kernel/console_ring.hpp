// SPDX-License-Identifier: MIT
// The Xen PV console of a PVH domain (docs/linux-guest.md): one page holding struct
// xencons_interface in the reserved legacy window, published through HVM_PARAM_CONSOLE_PFN and
// HVM_PARAM_CONSOLE_EVTCHN. What the guest writes to out[] (Linux's hvc0) is drained into the
// domain's console (its ring and the serial log, "[name] ...") after each of its hypercalls,
// which covers the EVTCHNOP_send hvc_xen makes after every write.
#pragma once

#include <cstdint>

#include "kernel/domain.hpp"

namespace hv::kernel
{

inline constexpr uint64_t CONSOLE_PAGE_GPA = 0xef000; // inside reserved 0xA0000..0xFFFFF

// Sets up the page and the event channel port; false on failure (the domain gets no hvc0).
// The domain builder does this for domains booted with an initrd (Linux domains).
bool console_ring_setup(Domain &d);

// Moves new output from the guest's ring to its console. Cheap when there is none.
void console_ring_drain(Domain &d);

} // namespace hv::kernel
