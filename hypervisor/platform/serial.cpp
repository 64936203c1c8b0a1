// SPDX-License-Identifier: MIT
// COM1 driver: 115200 baud 8N1, FIFOs on, no interrupts; writes wait for the transmitter.
#include "platform/serial.hpp"

#include "arch/x86_64/cpu.hpp"

namespace hv::platform
{
namespace
{
constexpr uint16_t COM1 = 0x3f8;
}

void serial_init()
{
    x86::outb(COM1 + 1, 0x00); // no interrupts
    x86::outb(COM1 + 3, 0x80); // DLAB
    x86::outb(COM1 + 0, 0x01); // divisor 1: 115200 baud
    x86::outb(COM1 + 1, 0x00);
    x86::outb(COM1 + 3, 0x03); // 8N1
    x86::outb(COM1 + 2, 0xc7); // FIFOs on, cleared
    x86::outb(COM1 + 4, 0x03); // DTR, RTS
}

void serial_write(char const *s, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == '\n')
            serial_write("\r", 1);
        for (unsigned spin = 0; spin < 100000 && (x86::inb(COM1 + 5) & 0x20) == 0; ++spin)
            x86::pause();
        x86::outb(COM1, static_cast<uint8_t>(s[i]));
    }
}

} // namespace hv::platform
