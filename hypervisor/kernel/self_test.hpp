// SPDX-License-Identifier: MIT
// Boot-time fault scenarios selected with `test=NAME` on the hypervisor command line, for the
// emulator tests of the exception path and of the hypervisor's own page permissions:
//   null-read    read from page 0 (unmapped)            -> #PF, error code 0x0
//   write-text   write into the hypervisor's .text (RX) -> #PF, error code 0x3
//   exec-data    jump into .data (RW+NX)                -> #PF, error code 0x11
//   stack-overflow  unbounded recursion into the boot stack's guard page -> #PF that cannot
//                be delivered on that stack -> #DF, reported from its IST stack
// Each ends the run through the exception handler (register dump, status 0x7e). And, after the
// domains are built:
//   idle         halt in the hypervisor with interrupts off, so that a test can inspect the
//                host page tables through the QEMU monitor (`info tlb`): the W^X check.
#pragma once

#include <span>

namespace hv::kernel
{

// Runs the named scenario (does not return if it exists); logs and returns for unknown names.
void run_self_test(std::span<char const> name);
// The scenarios that run once boot is complete (idle).
void run_late_self_test(std::span<char const> name);

} // namespace hv::kernel
