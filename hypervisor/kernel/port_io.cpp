// SPDX-License-Identifier: MIT
// Port I/O emulation (see port_io.hpp).
#include "kernel/port_io.hpp"

#include "kernel/guest_memory.hpp"

namespace hv::kernel
{
namespace
{

using arch::Reg;

constexpr uint16_t XEN_DEBUG_PORT = 0xe9;
constexpr uint16_t PIT_CHANNEL2_PORT = 0x42;
constexpr uint64_t MAX_ELEMENTS_PER_EXIT = 4096; // a longer REP resumes at the next entry
constexpr uint64_t RFLAGS_DF = 1u << 10;

void out_value(Domain &d, uint16_t port, uint8_t bytes, uint32_t value)
{
    if (port == XEN_DEBUG_PORT && bytes == 1) {
        char const c = static_cast<char>(value & 0xff);
        console_write(d, &c, 1);
    }
}

bool string_io(Domain &d, arch::Vcpu &v, arch::Io_exit const &io)
{
    if (v.reg(Reg::RFLAGS) & RFLAGS_DF)
        return false; // backwards string I/O: nobody needs it
    // PVH code runs on flat segments; the address size follows the code size (QEMU does not
    // report it in EXITINFO1).
    uint64_t const mask = v.mode() == arch::Guest_mode::LONG64 ? ~uint64_t{0} : 0xffffffffu;
    uint64_t const total = io.rep ? v.reg(Reg::RCX) & mask : 1;
    uint64_t const count = total < MAX_ELEMENTS_PER_EXIT ? total : MAX_ELEMENTS_PER_EXIT;
    Reg const index = io.in ? Reg::RDI : Reg::RSI;
    uint64_t addr = v.reg(index) & mask;
    for (uint64_t i = 0; i < count; ++i, addr = (addr + io.bytes) & mask) {
        if (io.in) {
            uint32_t const ones = 0xffffffffu;
            if (!write_guest(d, v, addr, &ones, io.bytes))
                return false;
        } else {
            uint32_t value = 0;
            if (!read_guest(d, v, addr, &value, io.bytes))
                return false;
            out_value(d, io.port, io.bytes, value);
        }
    }
    v.reg(index, (v.reg(index) & ~mask) | addr);
    if (io.rep)
        v.reg(Reg::RCX, (v.reg(Reg::RCX) & ~mask) | ((total - count) & mask));
    if (total == count)
        v.skip_instruction();
    return true;
}

} // namespace

bool emulate_port_io(Domain &d, arch::Vcpu &v, arch::Io_exit const &io)
{
    if (io.string)
        return string_io(d, v, io);
    if (io.in) {
        // Unclaimed ports read as all ones (as on real hardware and under Xen for PVH), except
        // PIT channel 2: a PVH platform has no PIT, and a counter stuck at 0xFF keeps Linux's
        // quick_pit_calibrate polling it 100,000 times (seconds under TCG) before it gives up;
        // a counter that reads 0 makes it give up at the first read. The TSC rate comes from
        // the pvclock either way (docs/linux-guest.md).
        uint64_t const ones = io.port == PIT_CHANNEL2_PORT ? 0
                              : io.bytes == 4              ? 0xffffffffu
                              : io.bytes == 2              ? 0xffffu
                                                           : 0xffu;
        uint64_t const keep = io.bytes == 4 ? 0 : ~ones; // a 32-bit IN zero-extends into RAX
        v.reg(Reg::RAX, (v.reg(Reg::RAX) & keep) | ones);
    } else {
        out_value(d, io.port, io.bytes, static_cast<uint32_t>(v.reg(Reg::RAX)));
    }
    v.skip_instruction();
    return true;
}

} // namespace hv::kernel
