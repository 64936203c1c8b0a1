// SPDX-License-Identifier: MIT
// Kernel-wide objects set up once at boot.
#pragma once

#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "hv/hv_options.hpp"

namespace hv::kernel
{

arch::Backend &backend();
void set_backend(arch::Backend &b);

Hv_options const &options();
void set_options(Hv_options const &o);

// TSC ticks per microsecond (calibrated at boot against the PIT).
uint64_t tsc_per_us();
void set_tsc_per_us(uint64_t v);

} // namespace hv::kernel
