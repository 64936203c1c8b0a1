// SPDX-License-Identifier: MIT
// The hypervisor log: formatted lines on the serial console, one writer at a time.
#pragma once

#include <cstdint>

#include "hv/compiler.hpp"

namespace hv
{

void log(char const *fmt, ...) HV_FORMAT(1, 2);

// For the exception path only: frees the log lock, which the faulting code may have held.
void log_break_lock();

// Ends the run under QEMU through isa-debug-exit (port 0xf4): QEMU exits with (code << 1) | 1.
// On other machines the write is ignored and the CPU halts.
HV_NORETURN void platform_exit(uint8_t code);

} // namespace hv
