// SPDX-License-Identifier: MIT
// The local APIC a PVH guest sees (docs/linux-guest.md): hv_vplatform's Vlapic per domain,
// reached through IA32_APIC_BASE and the x2APIC MSRs (0x800..0x8FF), and through the xAPIC page
// at 0xFEE00000, which is never mapped: its accesses arrive as nested page faults and the MOV
// that faulted is decoded here (TCG gives no decode assist) and emulated.
#pragma once

#include <cstdint>
#include <optional>

#include "arch/vcpu_backend.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

inline constexpr uint64_t XAPIC_PAGE_GPA = 0xfee00000;

// A fresh APIC for a domain that was just built.
void guest_apic_reset(Domain const &d);

// RDMSR/WRMSR of IA32_APIC_BASE or an x2APIC register: the value (or true for a write) if the
// APIC owns the MSR and accepted the access, nullopt/false if the guest deserves a #GP.
bool guest_apic_owns_msr(uint32_t index);
std::optional<uint64_t> guest_apic_read_msr(Domain const &d, uint32_t index);
bool guest_apic_write_msr(Domain const &d, uint32_t index, uint64_t value);

// A nested page fault at `gpa` in the xAPIC page: emulates the instruction and advances RIP.
// False if the instruction cannot be decoded or read (the caller ends the domain).
bool guest_apic_mmio(Domain &d, arch::Vcpu &v, uint64_t gpa, bool write);

} // namespace hv::kernel
