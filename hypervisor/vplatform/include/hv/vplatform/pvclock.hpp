// SPDX-License-Identifier: MIT
// The Xen pvclock: vcpu_time_info (xen/include/public/xen.h) and the TSC -> nanoseconds scale a
// guest applies to it. Linux takes its TSC frequency only from here in a PVH domain, so the scale
// must match the real TSC rate.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv::vplatform
{

struct Vcpu_time_info
{
    uint32_t version; // odd while the hypervisor updates the record
    uint32_t pad0;
    uint64_t tsc_timestamp; // TSC at the last update
    uint64_t system_time;   // ns since domain boot at the last update
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags; // PVCLOCK_TSC_STABLE_BIT (1) only for a synchronised TSC
    uint8_t pad1[2];
};
static_assert(sizeof(Vcpu_time_info) == 32);
static_assert(offsetof(Vcpu_time_info, tsc_timestamp) == 8);
static_assert(offsetof(Vcpu_time_info, system_time) == 16);
static_assert(offsetof(Vcpu_time_info, tsc_to_system_mul) == 24);
static_assert(offsetof(Vcpu_time_info, tsc_shift) == 28);
static_assert(offsetof(Vcpu_time_info, flags) == 29);

inline constexpr uint8_t PVCLOCK_TSC_STABLE_BIT = 1;

struct Pvclock_scale
{
    uint32_t mul;
    int8_t shift;
};

// The scale for a TSC of `tsc_hz` (> 0), chosen as Xen does: shift the tick rate into
// (1e9, 2e9] Hz, then mul = 2^32 * 1e9 / rate.
Pvclock_scale pvclock_scale(uint64_t tsc_hz);

// What the guest computes: ((delta shifted by shift) * mul) >> 32.
uint64_t pvclock_scale_delta(uint64_t tsc_delta, Pvclock_scale s);

// Publishes a new record with the version protocol (odd while writing, then even), so a guest
// reading concurrently retries instead of seeing a torn record.
void pvclock_publish(Vcpu_time_info volatile &t, uint64_t tsc, uint64_t system_time_ns,
                     Pvclock_scale s, uint8_t flags);

} // namespace hv::vplatform
