// SPDX-License-Identifier: MIT
// Decoding of VM-exit information (Intel SDM Vol. 3C, chapter 28 and appendix C): the exit
// reason, the exit qualifications the backend acts on, and VM-instruction error numbers.
#pragma once

#include <cstdint>

namespace hv::vmx
{

enum class Exit_reason : uint16_t
{
    EXCEPTION_OR_NMI = 0,
    EXTERNAL_INTERRUPT = 1,
    TRIPLE_FAULT = 2,
    INIT_SIGNAL = 3,
    SIPI = 4,
    INTERRUPT_WINDOW = 7,
    NMI_WINDOW = 8,
    TASK_SWITCH = 9,
    CPUID = 10,
    GETSEC = 11,
    HLT = 12,
    INVD = 13,
    INVLPG = 14,
    RDPMC = 15,
    RDTSC = 16,
    RSM = 17,
    VMCALL = 18,
    VMCLEAR = 19,
    VMLAUNCH = 20,
    VMPTRLD = 21,
    VMPTRST = 22,
    VMREAD = 23,
    VMRESUME = 24,
    VMWRITE = 25,
    VMXOFF = 26,
    VMXON = 27,
    CR_ACCESS = 28,
    DR_ACCESS = 29,
    IO_INSTRUCTION = 30,
    RDMSR = 31,
    WRMSR = 32,
    ENTRY_FAILURE_GUEST_STATE = 33,
    ENTRY_FAILURE_MSR_LOADING = 34,
    MWAIT = 36,
    MONITOR_TRAP_FLAG = 37,
    MONITOR = 39,
    PAUSE = 40,
    ENTRY_FAILURE_MACHINE_CHECK = 41,
    TPR_BELOW_THRESHOLD = 43,
    APIC_ACCESS = 44,
    VIRTUALIZED_EOI = 45,
    GDTR_IDTR_ACCESS = 46,
    LDTR_TR_ACCESS = 47,
    EPT_VIOLATION = 48,
    EPT_MISCONFIGURATION = 49,
    INVEPT = 50,
    RDTSCP = 51,
    PREEMPTION_TIMER = 52,
    INVVPID = 53,
    WBINVD = 54,
    XSETBV = 55,
    APIC_WRITE = 56,
    RDRAND = 57,
    INVPCID = 58,
    VMFUNC = 59,
    ENCLS = 60,
    RDSEED = 61,
    PML_FULL = 62,
    XSAVES = 63,
    XRSTORS = 64,
};

// The 32-bit EXIT_REASON field (28.2.1).
struct Exit_reason_field
{
    Exit_reason basic;
    bool entry_failure; // bit 31

    static constexpr Exit_reason_field decode(uint32_t v)
    {
        return {static_cast<Exit_reason>(v & 0xffff), (v >> 31) != 0};
    }
};

char const *exit_reason_name(Exit_reason r);

// Exit qualification of an I/O instruction exit (table 28-5).
struct Io_qualification
{
    uint8_t size;   // 1, 2 or 4 bytes
    bool in;        // true for IN/INS, false for OUT/OUTS
    bool string;    // INS/OUTS
    bool rep;       // REP prefix
    bool immediate; // port given as an immediate operand
    uint16_t port;

    static constexpr Io_qualification decode(uint64_t q)
    {
        return {static_cast<uint8_t>((q & 7) + 1),
                ((q >> 3) & 1) != 0,
                ((q >> 4) & 1) != 0,
                ((q >> 5) & 1) != 0,
                ((q >> 6) & 1) != 0,
                static_cast<uint16_t>(q >> 16)};
    }
    // Sizes 1, 2 and 4 are the only encodings the CPU produces (0, 1, 3).
    constexpr bool valid() const { return size == 1 || size == 2 || size == 4; }
};

// Exit qualification of an EPT violation (table 28-7).
struct Ept_violation_qualification
{
    bool read;
    bool write;
    bool fetch;
    bool was_readable;
    bool was_writable;
    bool was_executable;
    bool linear_valid;      // bit 7: GUEST_LINEAR_ADDRESS is valid
    bool final_translation; // bit 8: the access was to the final GPA, not a guest paging entry
    bool nmi_unblocking;    // bit 12

    static constexpr Ept_violation_qualification decode(uint64_t q)
    {
        auto const bit = [q](unsigned n) { return ((q >> n) & 1) != 0; };
        return {bit(0), bit(1), bit(2), bit(3), bit(4), bit(5), bit(7), bit(8), bit(12)};
    }
    // True if the GPA had no mapping at all (a read, write or fetch to nothing).
    constexpr bool not_present() const { return !was_readable && !was_writable && !was_executable; }
};

// VM-exit interruption information and IDT-vectoring information (25.9.2, 25.9.3).
struct Interruption_info
{
    uint8_t vector;
    uint8_t type; // 0 external, 2 NMI, 3 hardware exception, 4 software interrupt, 6 soft exc.
    bool error_code_valid;
    bool valid;

    static constexpr Interruption_info decode(uint32_t v)
    {
        return {static_cast<uint8_t>(v & 0xff), static_cast<uint8_t>((v >> 8) & 7),
                ((v >> 11) & 1) != 0, (v >> 31) != 0};
    }
};

// The text of a VM-instruction error number (VM_INSTRUCTION_ERROR field, 31.4).
char const *instruction_error_name(uint32_t error);

} // namespace hv::vmx
