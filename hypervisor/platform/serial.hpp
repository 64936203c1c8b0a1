// SPDX-License-Identifier: MIT
// COM1 (16550 at I/O port 0x3f8), polled output only.
#pragma once

#include <cstddef>

namespace hv::platform
{

void serial_init();
void serial_write(char const *s, size_t len);

} // namespace hv::platform
