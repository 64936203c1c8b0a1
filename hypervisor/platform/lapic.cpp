// SPDX-License-Identifier: MIT
// xAPIC MMIO driver and PIT-based calibration (see lapic.hpp).
#include "platform/lapic.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "platform/log.hpp"

namespace hv::platform
{
namespace
{

constexpr uint32_t REG_ID = 0x020, REG_EOI = 0x0b0, REG_SVR = 0x0f0, REG_LVT_TIMER = 0x320,
                   REG_TIMER_INITIAL = 0x380, REG_TIMER_CURRENT = 0x390, REG_TIMER_DIVIDE = 0x3e0;
constexpr uint32_t LVT_MASKED = 1u << 16;
constexpr uint64_t APIC_BASE_ENABLE = 1u << 11;
constexpr uint32_t PIT_HZ = 1193182;
constexpr uint32_t CALIBRATION_MS = 10;
constexpr unsigned CALIBRATION_SAMPLES = 3;

uint64_t apic_base = 0xfee00000;
Timer_calibration timer_cal{1, 1};
uint8_t timer_vector = 0;

volatile uint32_t &reg(uint32_t offset)
{
    return *x86::phys_to_virt<volatile uint32_t>(apic_base + offset);
}

void pic_disable()
{
    // ICW1..4: remap master to 0xe0, slave to 0xe8 (away from exceptions), then mask all lines.
    x86::outb(0x20, 0x11);
    x86::outb(0xa0, 0x11);
    x86::outb(0x21, 0xe0);
    x86::outb(0xa1, 0xe8);
    x86::outb(0x21, 4);
    x86::outb(0xa1, 2);
    x86::outb(0x21, 1);
    x86::outb(0xa1, 1);
    x86::outb(0x21, 0xff);
    x86::outb(0xa1, 0xff);
}

// Busy-waits CALIBRATION_MS on PIT channel 2 (mode 0, gate via port 0x61).
void pit_wait()
{
    uint16_t const count = static_cast<uint16_t>(PIT_HZ * CALIBRATION_MS / 1000);
    x86::outb(0x61, static_cast<uint8_t>((x86::inb(0x61) & ~0x02) | 0x01));
    x86::outb(0x43, 0xb0); // channel 2, lobyte/hibyte, mode 0
    x86::outb(0x42, static_cast<uint8_t>(count));
    x86::outb(0x42, static_cast<uint8_t>(count >> 8));
    for (unsigned spin = 0; (x86::inb(0x61) & 0x20) == 0 && spin < 100000000; ++spin)
        x86::pause();
}

} // namespace

Timer_calibration lapic_init()
{
    pic_disable();
    uint64_t const base_msr = x86::rdmsr(x86::msr::APIC_BASE);
    apic_base = base_msr & 0xffffff000ull;
    x86::wrmsr(x86::msr::APIC_BASE, base_msr | APIC_BASE_ENABLE);
    reg(REG_SVR) = 0x100 | 0xff; // software enable, spurious vector 0xff

    reg(REG_TIMER_DIVIDE) = 0x3; // divide by 16
    reg(REG_LVT_TIMER) = LVT_MASKED;
    // An emulator thread that is descheduled while we poll makes a sample too long, never too
    // short: keep the shortest of a few.
    uint64_t best_tsc = ~uint64_t{0};
    uint64_t best_apic = 0;
    for (unsigned sample = 0; sample < CALIBRATION_SAMPLES; ++sample) {
        reg(REG_TIMER_INITIAL) = 0xffffffffu;
        uint64_t const tsc0 = x86::rdtsc();
        pit_wait();
        uint32_t const left = reg(REG_TIMER_CURRENT);
        uint64_t const tsc = x86::rdtsc() - tsc0;
        if (tsc < best_tsc) {
            best_tsc = tsc;
            best_apic = 0xffffffffu - left;
        }
    }
    reg(REG_TIMER_INITIAL) = 0;

    Timer_calibration cal{};
    cal.apic_ticks_per_ms = best_apic / CALIBRATION_MS;
    cal.tsc_per_us = best_tsc / (CALIBRATION_MS * 1000);
    if (cal.apic_ticks_per_ms == 0)
        cal.apic_ticks_per_ms = 1;
    if (cal.tsc_per_us == 0)
        cal.tsc_per_us = 1;
    return cal;
}

void lapic_timer_start(Timer_calibration const &cal, uint8_t vector, uint32_t first_us)
{
    timer_cal = cal;
    timer_vector = vector;
    reg(REG_TIMER_DIVIDE) = 0x3;
    reg(REG_LVT_TIMER) = vector; // one-shot
    lapic_timer_arm(cal.tsc_per_us * first_us);
}

void lapic_timer_arm(uint64_t tsc_delta)
{
    // TSC cycles to APIC timer ticks (divide-by-16), rounded up so it never fires early.
    uint64_t const tsc_per_ms = timer_cal.tsc_per_us * 1000;
    uint64_t initial =
        tsc_delta >= (uint64_t{1} << 40)
            ? 0xffffffffu
            : (tsc_delta * timer_cal.apic_ticks_per_ms + tsc_per_ms - 1) / tsc_per_ms;
    if (initial == 0)
        initial = 1;
    if (initial > 0xffffffffu)
        initial = 0xffffffffu;
    reg(REG_TIMER_INITIAL) = static_cast<uint32_t>(initial); // restarts the count
}

void lapic_timer_stop()
{
    reg(REG_LVT_TIMER) = LVT_MASKED;
    reg(REG_TIMER_INITIAL) = 0;
}

void lapic_eoi()
{
    reg(REG_EOI) = 0;
}

uint32_t lapic_id()
{
    return reg(REG_ID) >> 24;
}

} // namespace hv::platform
