// SPDX-License-Identifier: MIT
// Compile-time limits of the hypervisor.
#pragma once

#include <cstddef>

namespace hv::kernel
{

inline constexpr unsigned MAX_CPUS = 8;
inline constexpr size_t MAX_DOMAINS = 16;
inline constexpr size_t PAGE_SIZE = 4096;

} // namespace hv::kernel
