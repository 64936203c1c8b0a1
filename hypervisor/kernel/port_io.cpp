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

// IN to EAX/AX/AL: unclaimed ports read as all ones (as on real hardware and under Xen for
// PVH), except PIT channel 2: a PVH platform has no PIT, and a counter stuck at 0xFF keeps
// Linux's quick_pit_calibrate polling it 100,000 times (seconds under TCG) before it gives up; a
// counter that reads 0 makes it give up at the first read. The TSC rate comes from the pvclock
// either way (docs/linux-guest.md).
void in_value(arch::Vcpu &v, uint16_t port, uint8_t bytes)
{
    uint64_t const width = bytes == 4 ? 0xffffffffu : bytes == 2 ? 0xffffu : 0xffu;
    uint64_t const ones = port == PIT_CHANNEL2_PORT ? 0 : width;
    uint64_t const keep = bytes == 4 ? 0 : ~width; // a 32-bit IN zero-extends into RAX
    v.reg(Reg::RAX, (v.reg(Reg::RAX) & keep) | ones);
}

// After an OUT, the IN that very often follows it in the same exit (docs/linux-guest.md
// section 2.3): when the next instruction bytes are exactly `mov $imm32, %edx` followed by
// `in (%dx), %eax` or `in (%dx), %al` (Linux's read_pci_config: OUT to 0xCF8, then IN from
// 0xCFC, 16,384 times per AGP bridge scan, twice per boot), both are carried out here and RIP
// moves past them, which saves a whole VM exit per pair. Only in 64-bit code at CPL 0 (no I/O
// permission bitmap to consult), without single-stepping or enabled debug breakpoints, and
// only when the six bytes lie on the page the OUT came from (it was fetched from there, so it
// is executable); anything else resumes the guest normally and its IN exits as usual.
void fuse_following_in(Domain &d, arch::Vcpu &v)
{
    constexpr uint64_t RFLAGS_TF = 1u << 8;
    constexpr uint64_t DR7_ENABLES = 0xff; // L0-L3, G0-G3
    constexpr size_t LENGTH = 6;
    if (v.mode() != arch::Guest_mode::LONG64 || v.cpl() != 0 ||
        (v.reg(Reg::RFLAGS) & RFLAGS_TF) != 0 || (v.reg(Reg::DR7) & DR7_ENABLES) != 0)
        return;
    uint64_t const rip = v.reg(Reg::RIP);
    if (((rip - 1) >> 12) != ((rip + LENGTH - 1) >> 12))
        return;
    uint8_t b[LENGTH];
    if (!read_guest(d, v, rip, b, sizeof b) || b[0] != 0xba || (b[5] != 0xed && b[5] != 0xec))
        return;
    uint32_t const edx = static_cast<uint32_t>(b[1]) | static_cast<uint32_t>(b[2]) << 8 |
                         static_cast<uint32_t>(b[3]) << 16 | static_cast<uint32_t>(b[4]) << 24;
    v.reg(Reg::RDX, edx); // a 32-bit MOV zero-extends into RDX
    in_value(v, static_cast<uint16_t>(edx), b[5] == 0xed ? 4 : 1);
    v.reg(Reg::RIP, rip + LENGTH);
    ++d.stats.detail.io_fused;
}

} // namespace

bool emulate_port_io(Domain &d, arch::Vcpu &v, arch::Io_exit const &io)
{
    if (io.string)
        return string_io(d, v, io);
    if (io.in) {
        in_value(v, io.port, io.bytes);
        v.skip_instruction();
        return true;
    }
    out_value(d, io.port, io.bytes, static_cast<uint32_t>(v.reg(Reg::RAX)));
    v.skip_instruction();
    fuse_following_in(d, v);
    return true;
}

} // namespace hv::kernel
