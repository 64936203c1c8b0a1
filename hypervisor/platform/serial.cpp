// SPDX-License-Identifier: MIT
// COM1 driver: 115200 baud 8N1, FIFOs on, no interrupts; writes wait for the transmitter,
// reads take what the receive FIFO holds (polled from the scheduler tick).
#include "platform/serial.hpp"

#include "arch/x86_64/cpu.hpp"

namespace hv::platform
{
namespace
{
uint16_t port = 0x3f8;

void program(uint16_t base)
{
    x86::outb(base + 1, 0x00); // no interrupts
    x86::outb(base + 3, 0x80); // DLAB
    x86::outb(base + 0, 0x01); // divisor 1: 115200 baud
    x86::outb(base + 1, 0x00);
    x86::outb(base + 3, 0x03); // 8N1
    x86::outb(base + 2, 0xc7); // FIFOs on, cleared
    x86::outb(base + 4, 0x03); // DTR, RTS
}
} // namespace

void serial_init()
{
    program(port);
}

void serial_select(uint16_t base)
{
    if (base != 0 && base != port)
        program(base);
    port = base;
}

void serial_write(char const *s, size_t len)
{
    if (port == 0)
        return;
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == '\n')
            serial_write("\r", 1);
        for (unsigned spin = 0; spin < 100000 && (x86::inb(port + 5) & 0x20) == 0; ++spin)
            x86::pause();
        x86::outb(port, static_cast<uint8_t>(s[i]));
    }
}

size_t serial_read(char *dst, size_t max)
{
    if (port == 0)
        return 0;
    size_t n = 0;
    while (n < max && (x86::inb(port + 5) & 0x01) != 0) // LSR: data ready
        dst[n++] = static_cast<char>(x86::inb(port));
    return n;
}

} // namespace hv::platform
