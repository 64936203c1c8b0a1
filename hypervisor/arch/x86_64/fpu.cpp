// SPDX-License-Identifier: MIT
// Guest FPU state switching; see fpu.hpp.
#include "arch/x86_64/fpu.hpp"

#include "arch/x86_64/cpu.hpp"

namespace hv::x86
{
namespace
{

constexpr uint64_t CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10, CR4_OSXSAVE = 1u << 18;
constexpr uint32_t CPUID1_ECX_XSAVE = 1u << 26, CPUID1_EDX_FXSR = 1u << 24;

enum class Mode : uint8_t
{
    NONE,
    FXSAVE,
    XSAVE,
};
Mode mode = Mode::NONE;
uint64_t xcr0_all = 1; // every user state component the CPU supports (CPUID 0xD.0 EDX:EAX)

uint64_t xgetbv0()
{
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t{hi} << 32) | lo;
}

void xsetbv0(uint64_t v)
{
    asm volatile("xsetbv" ::"c"(0), "a"(static_cast<uint32_t>(v)),
                 "d"(static_cast<uint32_t>(v >> 32)));
}

// The architectural reset state: FCW 0x37f, MXCSR 0x1f80, everything else (and, for XRSTOR,
// the header's XSTATE_BV) zero, so every component starts in its initial configuration.
void reset(Fpu_state &s)
{
    for (unsigned char &b : s.area)
        b = 0;
    s.area[0] = 0x7f;
    s.area[1] = 0x03;
    s.area[24] = 0x80;
    s.area[25] = 0x1f;
    s.xcr0 = 1; // x87 only, as after RESET; the guest's XSETBV widens it
    s.valid = true;
}

} // namespace

char const *fpu_init(bool &ok)
{
    Cpuid const c = cpuid(1);
    ok = true;
    if ((c.ecx & CPUID1_ECX_XSAVE) != 0 && cpuid(0xd, 0).ecx <= FPU_AREA_BYTES) {
        write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE);
        Cpuid const d = cpuid(0xd, 0);
        xcr0_all = (uint64_t{d.edx} << 32) | d.eax;
        mode = Mode::XSAVE;
        return "XSAVE (XCR0 per guest)";
    }
    if ((c.edx & CPUID1_EDX_FXSR) != 0) {
        write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
        mode = Mode::FXSAVE;
        return "FXSAVE";
    }
    ok = false;
    return "none (no FXSAVE): guests share FPU registers";
}

void fpu_switch(Fpu_state *out, Fpu_state &in)
{
    if (mode == Mode::NONE)
        return;
    if (!in.valid)
        reset(in);
    if (mode == Mode::XSAVE) {
        // Save and restore every component whatever the guests' XCR0 (SSE registers work with
        // XCR0 = 1 too): nothing of one guest's state stays behind for the next one to read.
        uint64_t const guest_xcr0 = xgetbv0();
        if (guest_xcr0 != xcr0_all)
            xsetbv0(xcr0_all);
        if (out != nullptr) {
            out->xcr0 = guest_xcr0;
            asm volatile("xsave64 %0" : "+m"(out->area) : "a"(~0u), "d"(~0u) : "memory");
        }
        asm volatile("xrstor64 %0" ::"m"(in.area), "a"(~0u), "d"(~0u) : "memory");
        if (in.xcr0 != xcr0_all)
            xsetbv0(in.xcr0);
        return;
    }
    if (out != nullptr)
        asm volatile("fxsave64 %0" : "+m"(out->area) : : "memory");
    asm volatile("fxrstor64 %0" ::"m"(in.area) : "memory");
}

} // namespace hv::x86
