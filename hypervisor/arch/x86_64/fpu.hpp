// SPDX-License-Identifier: MIT
// Guest FPU/SSE/AVX state across domain switches. Ward itself never touches these registers
// (-mgeneral-regs-only), so the state on the CPU belongs to the last guest that ran; when
// another guest is about to run, the first one's registers and XCR0 are saved (XSAVE, or FXSAVE
// without XSAVE) and the second one's restored. Without this, two guests share their vector
// registers and each corrupts the other's userspace (docs/linux-guest.md section 2.2).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv::x86
{

inline constexpr size_t FPU_AREA_BYTES = 4096;

struct alignas(64) Fpu_state
{
    unsigned char area[FPU_AREA_BYTES];
    uint64_t xcr0;
    bool valid; // false: the guest has not run yet; it starts from the reset state
};

// Enables FXSAVE/XSAVE use in the hypervisor (CR4.OSFXSR, CR4.OSXSAVE) and checks the save area
// fits. Returns a description for the log; false in `ok` when guests cannot be kept apart.
char const *fpu_init(bool &ok);

// Saves the CPU's FPU state into `out` (nullptr: discard it) and loads `in` (its reset state
// if not valid).
void fpu_switch(Fpu_state *out, Fpu_state &in);

} // namespace hv::x86
