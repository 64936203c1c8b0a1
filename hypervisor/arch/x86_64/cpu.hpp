// SPDX-License-Identifier: MIT
// x86-64 instruction intrinsics: CPUID, MSRs, control registers, port I/O, TSC, interrupts.
// The only place (with the .S files and the backends) that spells out inline assembly.
#pragma once

#include <cstdint>

#include "hv/compiler.hpp"

namespace hv::x86
{

struct Cpuid
{
    uint32_t eax, ebx, ecx, edx;
};

HV_ALWAYS_INLINE Cpuid cpuid(uint32_t leaf, uint32_t subleaf = 0)
{
    Cpuid r;
    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
}

HV_ALWAYS_INLINE uint64_t rdmsr(uint32_t index)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

HV_ALWAYS_INLINE void wrmsr(uint32_t index, uint64_t value)
{
    asm volatile("wrmsr" ::"c"(index), "a"(static_cast<uint32_t>(value)),
                 "d"(static_cast<uint32_t>(value >> 32)));
}

#define HV_X86_CR(n)                                                                               \
    HV_ALWAYS_INLINE uint64_t read_cr##n()                                                         \
    {                                                                                              \
        uint64_t v;                                                                                \
        asm volatile("mov %%cr" #n ", %0" : "=r"(v));                                              \
        return v;                                                                                  \
    }                                                                                              \
    HV_ALWAYS_INLINE void write_cr##n(uint64_t v)                                                  \
    {                                                                                              \
        asm volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                                       \
    }
HV_X86_CR(0)
HV_X86_CR(2)
HV_X86_CR(3)
HV_X86_CR(4)
#undef HV_X86_CR

HV_ALWAYS_INLINE uint64_t rdtsc()
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

HV_ALWAYS_INLINE void outb(uint16_t port, uint8_t v)
{
    asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
HV_ALWAYS_INLINE void outl(uint16_t port, uint32_t v)
{
    asm volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
HV_ALWAYS_INLINE uint8_t inb(uint16_t port)
{
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

HV_ALWAYS_INLINE void cli()
{
    asm volatile("cli" ::: "memory");
}
HV_ALWAYS_INLINE void sti()
{
    asm volatile("sti" ::: "memory");
}
// Waits for the next interrupt with interrupts enabled only across the HLT, then disables them.
HV_ALWAYS_INLINE void idle_wait()
{
    asm volatile("sti; hlt; cli" ::: "memory");
}
HV_ALWAYS_INLINE void pause()
{
    asm volatile("pause");
}
// Zeroes `qwords` 8-byte words at `dst` with REP STOSQ (much faster under emulation than a loop).
HV_ALWAYS_INLINE void zero_qwords(void *dst, uint64_t qwords)
{
    asm volatile("rep stosq" : "+D"(dst), "+c"(qwords) : "a"(0ull) : "memory");
}
HV_ALWAYS_INLINE void invlpg(void const *p)
{
    asm volatile("invlpg (%0)" ::"r"(p) : "memory");
}

// Stops this CPU for good (interrupts off; NMIs return to the HLT).
HV_NORETURN inline void halt_forever()
{
    for (;;)
        asm volatile("cli; hlt");
}

namespace msr
{
inline constexpr uint32_t APIC_BASE = 0x1b;
inline constexpr uint32_t PAT = 0x277;
inline constexpr uint32_t EFER = 0xc0000080;
inline constexpr uint32_t STAR = 0xc0000081;
inline constexpr uint32_t LSTAR = 0xc0000082;
inline constexpr uint32_t CSTAR = 0xc0000083;
inline constexpr uint32_t SFMASK = 0xc0000084;
inline constexpr uint32_t FS_BASE = 0xc0000100;
inline constexpr uint32_t GS_BASE = 0xc0000101;
inline constexpr uint32_t KERNEL_GS_BASE = 0xc0000102;
inline constexpr uint32_t SYSENTER_CS = 0x174;
inline constexpr uint32_t SYSENTER_ESP = 0x175;
inline constexpr uint32_t SYSENTER_EIP = 0x176;
} // namespace msr

inline constexpr uint64_t EFER_SCE = 1u << 0;
inline constexpr uint64_t EFER_LME = 1u << 8;
inline constexpr uint64_t EFER_LMA = 1u << 10;
inline constexpr uint64_t EFER_NXE = 1u << 11;
inline constexpr uint64_t EFER_SVME = 1u << 12;

inline constexpr uint64_t CR0_PE = 1u << 0;
inline constexpr uint64_t CR0_ET = 1u << 4;
inline constexpr uint64_t CR0_NE = 1u << 5;
inline constexpr uint64_t CR0_WP = 1u << 16;
inline constexpr uint64_t CR0_PG = 1u << 31;
inline constexpr uint64_t CR4_PAE = 1u << 5;
inline constexpr uint64_t CR4_PGE = 1u << 7;
inline constexpr uint64_t CR4_SMEP = 1u << 20;
inline constexpr uint64_t CR4_SMAP = 1u << 21;

} // namespace hv::x86
