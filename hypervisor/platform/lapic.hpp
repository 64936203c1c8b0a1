// SPDX-License-Identifier: MIT
// The local APIC in xAPIC mode (MMIO at the APIC base; TCG offers no x2APIC) and its timer, plus
// the legacy 8259 PICs, which are remapped out of the exception range and masked.
#pragma once

#include <cstdint>

namespace hv::platform
{

struct Timer_calibration
{
    uint64_t apic_ticks_per_ms; // at divide-by-16
    uint64_t tsc_per_us;
};

// Masks the PICs, enables the LAPIC, and measures its timer and the TSC against PIT channel 2.
Timer_calibration lapic_init();

// Puts the timer in one-shot mode on `vector` and arms it `first_us` microseconds ahead.
void lapic_timer_start(Timer_calibration const &cal, uint8_t vector, uint32_t first_us);
// Re-arms the one-shot timer `tsc_delta` TSC cycles ahead (replacing any armed expiry).
void lapic_timer_arm(uint64_t tsc_delta);
void lapic_timer_stop();
void lapic_eoi();
uint32_t lapic_id();

} // namespace hv::platform
