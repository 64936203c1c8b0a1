// SPDX-License-Identifier: MIT
// A printf subset for the freestanding hypervisor (serial log, panics). Behaves as snprintf for
// the conversions it supports: %c %s %d %i %u %x %X %p %%, flags '-' '0', width, precision for
// %s, and the length modifiers l, ll, z. Anything else is copied through literally.
#pragma once

#include <cstdarg>
#include <cstddef>

#include "hv/compiler.hpp"

namespace hv
{

// Writes at most `size` bytes including the terminating NUL (none if size is 0) and returns the
// length the full output would have had, like snprintf.
size_t format(char *buf, size_t size, char const *fmt, ...) HV_FORMAT(3, 4);
size_t vformat(char *buf, size_t size, char const *fmt, va_list ap);

} // namespace hv
