// SPDX-License-Identifier: MIT
// The hypervisor's own command line (the Multiboot2 boot command line), e.g.
//   serial=com1 slice_us=10000 bench test=isolation
// Same token grammar as module command lines (docs/boot.md); unknown options are errors.
#pragma once

#include <cstdint>
#include <span>

#include "hv/module_cmdline.hpp"
#include "hv/result.hpp"

namespace hv
{

inline constexpr uint32_t SLICE_US_MIN = 100;
inline constexpr uint32_t SLICE_US_MAX = 1000000;

struct Hv_options
{
    uint16_t serial_port = 0x3f8; // serial=com1..com4 | 0xPORT | none (0)
    uint32_t slice_us = 10000;    // slice_us=N: round-robin time slice in microseconds
    bool bench = false;           // bench: run the built-in benchmarks and report figures
    Fixed_string<31> test;        // test=NAME: a boot-test scenario (empty: none)
};

// A first token that starts with '/' (the image path some loaders prepend) is skipped.
Result<Hv_options, Cmdline_failure> parse_hv_options(std::span<char const> cmdline);

} // namespace hv
