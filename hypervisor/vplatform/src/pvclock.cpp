// SPDX-License-Identifier: MIT
#include "hv/vplatform/pvclock.hpp"

namespace hv::vplatform
{

Pvclock_scale pvclock_scale(uint64_t tsc_hz)
{
    constexpr uint64_t NS_PER_S = 1000000000;
    uint64_t rate = tsc_hz == 0 ? 1 : tsc_hz;
    int shift = 0;
    while (rate > 2 * NS_PER_S) {
        rate >>= 1;
        --shift;
    }
    while (rate <= NS_PER_S) {
        rate <<= 1;
        ++shift;
    }
    // rate is in (1e9, 2e9], so the quotient is below 2^32.
    auto const mul = static_cast<uint32_t>((NS_PER_S << 32) / rate);
    return {mul, static_cast<int8_t>(shift)};
}

uint64_t pvclock_scale_delta(uint64_t delta, Pvclock_scale s)
{
    if (s.shift < 0)
        delta >>= -s.shift;
    else
        delta <<= s.shift;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * s.mul) >> 32);
}

void pvclock_publish(Vcpu_time_info volatile &t, uint64_t tsc, uint64_t system_time_ns,
                     Pvclock_scale s, uint8_t flags)
{
    uint32_t const v = t.version;
    t.version = (v | 1) + ((v & 1) ? 2 : 0); // odd, and never the value a reader saw before
    __atomic_thread_fence(__ATOMIC_RELEASE);
    t.tsc_timestamp = tsc;
    t.system_time = system_time_ns;
    t.tsc_to_system_mul = s.mul;
    t.tsc_shift = s.shift;
    t.flags = flags;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    t.version = t.version + 1; // even: consistent
}

} // namespace hv::vplatform
