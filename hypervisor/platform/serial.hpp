// SPDX-License-Identifier: MIT
// The serial console: a 16550 UART (COM1 at 0x3f8 by default), polled output and input.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv::platform
{

// Programs COM1 (the console until the command line is read).
void serial_init();
// Switches the console to another 16550 port (serial=...); 0 turns serial output off.
void serial_select(uint16_t port);
void serial_write(char const *s, size_t len);
// Takes up to `max` received bytes without waiting (the console's input, docs/console.md).
size_t serial_read(char *dst, size_t max);

} // namespace hv::platform
