// SPDX-License-Identifier: MIT
// The AMD VMCB (AMD64 APM vol. 2, appendix B): control area at 0x000, state save area at 0x400.
// Offsets are checked at compile time against the table in testbeds.md / the APM.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv::arch::svm
{

struct Vmcb_segment
{
    uint16_t selector;
    uint16_t attrib; // access byte | (G, D/B, L, AVL) << 8
    uint32_t limit;
    uint64_t base;
};
static_assert(sizeof(Vmcb_segment) == 16);

struct alignas(4096) Vmcb
{
    // Control area
    uint16_t cr_read_intercepts;   // 0x000
    uint16_t cr_write_intercepts;  // 0x002
    uint16_t dr_read_intercepts;   // 0x004
    uint16_t dr_write_intercepts;  // 0x006
    uint32_t exception_intercepts; // 0x008
    uint32_t intercept_misc1;      // 0x00c
    uint32_t intercept_misc2;      // 0x010
    uint8_t reserved0[0x03c - 0x014];
    uint16_t pause_filter_threshold; // 0x03c
    uint16_t pause_filter_count;     // 0x03e
    uint64_t iopm_base_pa;           // 0x040
    uint64_t msrpm_base_pa;          // 0x048
    uint64_t tsc_offset;             // 0x050
    uint32_t guest_asid;             // 0x058
    uint8_t tlb_control;             // 0x05c
    uint8_t reserved1[3];
    uint64_t v_intr;           // 0x060
    uint64_t interrupt_shadow; // 0x068
    uint64_t exitcode;         // 0x070
    uint64_t exitinfo1;        // 0x078
    uint64_t exitinfo2;        // 0x080
    uint64_t exitintinfo;      // 0x088
    uint64_t np_enable;        // 0x090
    uint64_t avic_apic_bar;    // 0x098
    uint64_t ghcb_pa;          // 0x0a0
    uint64_t eventinj;         // 0x0a8
    uint64_t n_cr3;            // 0x0b0
    uint64_t lbr_virt_enable;  // 0x0b8
    uint32_t clean_bits;       // 0x0c0
    uint32_t reserved2;
    uint64_t next_rip; // 0x0c8
    uint8_t insn_len;  // 0x0d0
    uint8_t insn_bytes[15];
    uint8_t reserved3[0x400 - 0x0e0];

    // State save area
    Vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; // 0x400 .. 0x49f
    uint8_t reserved4[0x4cb - 0x4a0];
    uint8_t cpl; // 0x4cb
    uint32_t reserved5;
    uint64_t efer; // 0x4d0
    uint8_t reserved6[0x548 - 0x4d8];
    uint64_t cr4;    // 0x548
    uint64_t cr3;    // 0x550
    uint64_t cr0;    // 0x558
    uint64_t dr7;    // 0x560
    uint64_t dr6;    // 0x568
    uint64_t rflags; // 0x570
    uint64_t rip;    // 0x578
    uint8_t reserved7[0x5d8 - 0x580];
    uint64_t rsp; // 0x5d8
    uint8_t reserved8[0x5f8 - 0x5e0];
    uint64_t rax;            // 0x5f8
    uint64_t star;           // 0x600
    uint64_t lstar;          // 0x608
    uint64_t cstar;          // 0x610
    uint64_t sfmask;         // 0x618
    uint64_t kernel_gs_base; // 0x620
    uint64_t sysenter_cs;    // 0x628
    uint64_t sysenter_esp;   // 0x630
    uint64_t sysenter_eip;   // 0x638
    uint64_t cr2;            // 0x640
    uint8_t reserved9[0x668 - 0x648];
    uint64_t g_pat; // 0x668
    uint8_t reserved10[0x1000 - 0x670];
};
static_assert(sizeof(Vmcb) == 4096);
static_assert(offsetof(Vmcb, iopm_base_pa) == 0x040);
static_assert(offsetof(Vmcb, guest_asid) == 0x058);
static_assert(offsetof(Vmcb, exitcode) == 0x070);
static_assert(offsetof(Vmcb, np_enable) == 0x090);
static_assert(offsetof(Vmcb, eventinj) == 0x0a8);
static_assert(offsetof(Vmcb, n_cr3) == 0x0b0);
static_assert(offsetof(Vmcb, next_rip) == 0x0c8);
static_assert(offsetof(Vmcb, es) == 0x400);
static_assert(offsetof(Vmcb, tr) == 0x490);
static_assert(offsetof(Vmcb, cpl) == 0x4cb);
static_assert(offsetof(Vmcb, efer) == 0x4d0);
static_assert(offsetof(Vmcb, cr4) == 0x548);
static_assert(offsetof(Vmcb, rflags) == 0x570);
static_assert(offsetof(Vmcb, rip) == 0x578);
static_assert(offsetof(Vmcb, rsp) == 0x5d8);
static_assert(offsetof(Vmcb, rax) == 0x5f8);
static_assert(offsetof(Vmcb, cr2) == 0x640);
static_assert(offsetof(Vmcb, g_pat) == 0x668);

// Intercept bits.
namespace misc1
{
inline constexpr uint32_t INTR = 1u << 0;
inline constexpr uint32_t NMI = 1u << 1;
inline constexpr uint32_t SMI = 1u << 2;
inline constexpr uint32_t INIT = 1u << 3;
inline constexpr uint32_t CPUID = 1u << 18;
inline constexpr uint32_t INVD = 1u << 22;
inline constexpr uint32_t HLT = 1u << 24;
inline constexpr uint32_t INVLPGA = 1u << 26;
inline constexpr uint32_t IOIO_PROT = 1u << 27;
inline constexpr uint32_t MSR_PROT = 1u << 28;
inline constexpr uint32_t TASK_SWITCH = 1u << 29;
inline constexpr uint32_t SHUTDOWN = 1u << 31;
} // namespace misc1
namespace misc2
{
inline constexpr uint32_t VMRUN = 1u << 0;
inline constexpr uint32_t VMMCALL = 1u << 1;
inline constexpr uint32_t VMLOAD = 1u << 2;
inline constexpr uint32_t VMSAVE = 1u << 3;
inline constexpr uint32_t STGI = 1u << 4;
inline constexpr uint32_t CLGI = 1u << 5;
inline constexpr uint32_t SKINIT = 1u << 6;
inline constexpr uint32_t RDTSCP = 1u << 7;
inline constexpr uint32_t ICEBP = 1u << 8;
inline constexpr uint32_t WBINVD = 1u << 9;
inline constexpr uint32_t MONITOR = 1u << 10;
inline constexpr uint32_t MWAIT = 1u << 11;
inline constexpr uint32_t XSETBV = 1u << 13;
} // namespace misc2

inline constexpr uint64_t V_INTR_MASKING = 1ull << 24;

// Exit codes.
namespace exitcode
{
inline constexpr uint64_t EXCEPTION_BASE = 0x40;
inline constexpr uint64_t INTR = 0x60;
inline constexpr uint64_t NMI = 0x61;
inline constexpr uint64_t CPUID = 0x72;
inline constexpr uint64_t HLT = 0x78;
inline constexpr uint64_t IOIO = 0x7b;
inline constexpr uint64_t MSR = 0x7c;
inline constexpr uint64_t SHUTDOWN = 0x7f;
inline constexpr uint64_t VMMCALL = 0x81;
inline constexpr uint64_t NPF = 0x400;
inline constexpr uint32_t INVALID = 0xffffffff; // compare as (uint32_t)exitcode: QEMU stores 2^32-1
} // namespace exitcode

} // namespace hv::arch::svm
