// SPDX-License-Identifier: MIT
// Log lines go through hv::vformat into a stack buffer, then to COM1 under a spin lock.
#include "platform/log.hpp"

#include <atomic>
#include <cstdarg>

#include "arch/x86_64/cpu.hpp"
#include "hv/format.hpp"
#include "platform/serial.hpp"

namespace hv
{
namespace
{
std::atomic_flag log_lock = ATOMIC_FLAG_INIT;
}

void log(char const *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t len = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    while (log_lock.test_and_set(std::memory_order_acquire))
        x86::pause();
    platform::serial_write(buf, len);
    log_lock.clear(std::memory_order_release);
}

void log_break_lock()
{
    log_lock.clear(std::memory_order_release);
}

void platform_exit(uint8_t code)
{
    x86::outl(0xf4, code);
    x86::halt_forever();
}

} // namespace hv
