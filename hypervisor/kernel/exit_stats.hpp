// SPDX-License-Identifier: MIT
// Exit accounting per domain: how many VM exits of each kind, the TSC ticks spent handling them
// and the ticks spent in the guest (VMRUN to #VMEXIT, the world switch included), the busiest
// port classes and hypercalls, and how long the domain was blocked. A few adds per exit; the
// totals are logged when the domain ends (docs/linux-guest.md section 4).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "arch/vcpu_backend.hpp"

namespace hv::kernel
{

struct Exit_stats
{
    static constexpr size_t KINDS = static_cast<size_t>(arch::Exit_reason::OTHER) + 1;
    static constexpr size_t HYPERCALLS = 48; // Xen's numbers below this are counted one by one

    std::array<uint64_t, KINDS> count{};
    std::array<uint64_t, KINDS> tsc{}; // handling, after #VMEXIT until the next VMRUN
    uint64_t guest_tsc = 0;
    uint64_t io_pit = 0; // PIT and the speaker port (0x40-0x43, 0x61)
    uint64_t io_pci = 0; // PCI configuration mechanism #1 (0xCF8-0xCFF)
    uint64_t io_string = 0;
    uint64_t io_fused = 0; // INs carried out in the exit of the OUT before them (port_io.cpp)
    std::array<uint32_t, HYPERCALLS> hypercall{};
    uint64_t blocked_tsc = 0;   // blocked in HLT / SCHEDOP_block
    uint64_t blocked_since = 0; // TSC at the last block, 0 while not blocked

    void record(arch::Exit const &e, uint64_t hypercall_nr, uint64_t in_guest, uint64_t handling)
    {
        size_t const k = static_cast<size_t>(e.reason);
        ++count[k];
        tsc[k] += handling;
        guest_tsc += in_guest;
        if (e.reason == arch::Exit_reason::IO) {
            uint16_t const p = e.io.port;
            io_pit += (p >= 0x40 && p <= 0x43) || p == 0x61;
            io_pci += p >= 0xcf8 && p <= 0xcff;
            io_string += e.io.string;
        } else if (e.reason == arch::Exit_reason::HYPERCALL && hypercall_nr < HYPERCALLS) {
            ++hypercall[hypercall_nr];
        }
    }
};

struct Domain;
// One log line with the totals of `d` ("ward: exits: domain N 'name': ...").
void exit_stats_log(Domain const &d);

} // namespace hv::kernel
