// SPDX-License-Identifier: MIT
// The common interrupt entry (called from isr.S). CPU exceptions in the hypervisor are bugs: print
// a register dump and the faulting context on COM1, then stop. External interrupts go to the
// handler registered for their vector.
#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/interrupt.hpp"
#include "arch/x86_64/paging.hpp"
#include "platform/log.hpp"

namespace hv::x86
{
Irq_handler irq_handler(uint8_t vector);

namespace
{

char const *const exception_names[32] = {"#DE divide error",
                                         "#DB debug",
                                         "NMI",
                                         "#BP breakpoint",
                                         "#OF overflow",
                                         "#BR bound range",
                                         "#UD invalid opcode",
                                         "#NM device not available",
                                         "#DF double fault",
                                         "coprocessor overrun",
                                         "#TS invalid TSS",
                                         "#NP segment not present",
                                         "#SS stack fault",
                                         "#GP general protection",
                                         "#PF page fault",
                                         "reserved 15",
                                         "#MF x87 error",
                                         "#AC alignment check",
                                         "#MC machine check",
                                         "#XM SIMD error",
                                         "#VE virtualization",
                                         "#CP control protection",
                                         "reserved 22",
                                         "reserved 23",
                                         "reserved 24",
                                         "reserved 25",
                                         "reserved 26",
                                         "reserved 27",
                                         "#HV",
                                         "#VC",
                                         "#SX security",
                                         "reserved 31"};

// Only dump bytes the hypervisor's tables map: a second fault here would lose the report.
bool readable(uint64_t addr, uint64_t len)
{
    return mapped(addr, len);
}

HV_NORETURN void dump_and_halt(Interrupt_frame const &f)
{
    log_break_lock(); // the fault may have hit while this CPU held the log lock
    log("\n*** ward: hypervisor exception %llu (%s), error code 0x%llx ***\n",
        static_cast<unsigned long long>(f.vector), exception_names[f.vector & 31],
        static_cast<unsigned long long>(f.error_code));
    log("RIP %016llx CS %04llx RFLAGS %016llx RSP %016llx SS %04llx\n",
        static_cast<unsigned long long>(f.rip), static_cast<unsigned long long>(f.cs),
        static_cast<unsigned long long>(f.rflags), static_cast<unsigned long long>(f.rsp),
        static_cast<unsigned long long>(f.ss));
    log("RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)f.rax,
        (unsigned long long)f.rbx, (unsigned long long)f.rcx, (unsigned long long)f.rdx);
    log("RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", (unsigned long long)f.rsi,
        (unsigned long long)f.rdi, (unsigned long long)f.rbp, (unsigned long long)f.r8);
    log("R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)f.r9,
        (unsigned long long)f.r10, (unsigned long long)f.r11, (unsigned long long)f.r12);
    log("R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)f.r13,
        (unsigned long long)f.r14, (unsigned long long)f.r15);
    log("CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n", (unsigned long long)read_cr0(),
        (unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
        (unsigned long long)read_cr4());
    if (readable(f.rip, 16)) {
        auto const *code = reinterpret_cast<uint8_t const *>(f.rip);
        log("code at RIP:");
        for (unsigned i = 0; i < 16; ++i)
            log(" %02x", code[i]);
        log("\n");
    } else {
        log("code at RIP: not mapped\n");
    }
    if (readable(f.rsp, 64)) {
        auto const *stack = reinterpret_cast<uint64_t const *>(f.rsp);
        log("stack:");
        for (unsigned i = 0; i < 8; ++i)
            log(" %016llx", static_cast<unsigned long long>(stack[i]));
        log("\n");
    } else {
        log("stack: RSP points at unmapped memory (a stack overflow into a guard page?)\n");
    }
    log("ward: halted\n");
    platform_exit(0x7e);
}

} // namespace
} // namespace hv::x86

extern "C" void hv_interrupt(hv::x86::Interrupt_frame *frame)
{
    using namespace hv::x86;
    if (frame->vector == 2) {
        // An NMI is not a hypervisor bug (watchdogs, platform errors): note it and go on.
        hv::log("ward: NMI at RIP 0x%llx\n", static_cast<unsigned long long>(frame->rip));
        return;
    }
    if (frame->vector < 32)
        dump_and_halt(*frame);
    if (Irq_handler const h = irq_handler(static_cast<uint8_t>(frame->vector)))
        h(*frame);
}
