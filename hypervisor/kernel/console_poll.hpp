// SPDX-License-Identifier: MIT
// The scheduler's console hook: what arrived on the serial port since the last tick goes to
// console_input (docs/console.md). Header-only so that hosted builds of the kernel sources,
// which have no UART, never reference the driver.
#pragma once

#include "kernel/console_focus.hpp"
#include "platform/serial.hpp"

namespace hv::kernel
{

inline void console_poll_serial()
{
    char buf[16]; // the 16550 FIFO: QEMU's UART stops taking input while it is full
    size_t const n = platform::serial_read(buf, sizeof buf);
    if (n != 0)
        console_input(buf, n);
}

} // namespace hv::kernel
