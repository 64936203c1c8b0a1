// SPDX-License-Identifier: MIT
// Port I/O a domain performs: byte writes to port 0xE9 (Xen's HVM debug console) go to its
// console; reads of any other port return all ones and writes are dropped (no device is
// emulated). String forms (INS/OUTS, with or without REP) are emulated over flat segments.
#pragma once

#include "arch/vcpu_backend.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// false: the access cannot be emulated (guest memory fault, DF set); the caller ends the domain.
// On success RIP has moved on, or stays on a REP instruction that still has work left.
bool emulate_port_io(Domain &d, arch::Vcpu &v, arch::Io_exit const &io);

} // namespace hv::kernel
