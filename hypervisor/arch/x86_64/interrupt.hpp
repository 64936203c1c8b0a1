// SPDX-License-Identifier: MIT
// Host interrupts and exceptions: the IDT, the frame the entry stubs build, and the handlers.
#pragma once

#include <cstdint>

namespace hv::x86
{

struct Interrupt_frame
{
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

inline constexpr uint8_t VECTOR_TIMER = 0x20;
inline constexpr uint8_t VECTOR_SPURIOUS = 0xff;

// Loads the GDT (with a TSS whose IST stacks serve #DF, NMI and #MC) and the IDT on this CPU.
void load_descriptors(unsigned cpu);

using Irq_handler = void (*)(Interrupt_frame &);
// Installs the handler for an external interrupt vector (>= 32).
void set_irq_handler(uint8_t vector, Irq_handler handler);

} // namespace hv::x86
