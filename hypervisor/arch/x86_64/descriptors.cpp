// SPDX-License-Identifier: MIT
// Per-CPU GDT and TSS, and the shared IDT. The TSS's IST stacks give #DF, NMI and #MC a known
// good stack even when the faulting context's stack is broken.
#include <cstddef>
#include <cstdint>

#include "arch/x86_64/interrupt.hpp"
#include "hv/compiler.hpp"
#include "kernel/config.hpp"

extern "C" char isr_stubs[];

namespace hv::x86
{
namespace
{

struct HV_PACKED Tss
{
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

struct HV_PACKED Descriptor_pointer
{
    uint16_t limit;
    uint64_t base;
};

struct Idt_gate
{
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(Idt_gate) == 16);

inline constexpr uint16_t SEL_CODE = 0x08;
inline constexpr uint16_t SEL_TSS = 0x18;
inline constexpr size_t IST_STACK_BYTES = 8192;
inline constexpr uint8_t IST_DF = 1, IST_NMI = 2, IST_MC = 3;

struct Cpu_tables
{
    alignas(16) uint64_t gdt[5];
    Tss tss;
    alignas(16) uint8_t ist_stacks[3][IST_STACK_BYTES];
};

Cpu_tables cpu_tables[kernel::MAX_CPUS];
Idt_gate idt[256];
Irq_handler irq_handlers[256];
bool idt_built = false;

void build_idt()
{
    for (unsigned v = 0; v < 256; ++v) {
        uint64_t const addr = reinterpret_cast<uint64_t>(isr_stubs) + 16 * v;
        Idt_gate &g = idt[v];
        g.offset_low = static_cast<uint16_t>(addr);
        g.selector = SEL_CODE;
        g.ist = v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0;
        g.type_attr = 0x8e; // present, DPL 0, 64-bit interrupt gate
        g.offset_mid = static_cast<uint16_t>(addr >> 16);
        g.offset_high = static_cast<uint32_t>(addr >> 32);
        g.reserved = 0;
    }
    idt_built = true;
}

} // namespace

void load_descriptors(unsigned cpu)
{
    if (!idt_built)
        build_idt();
    Cpu_tables &t = cpu_tables[cpu];
    t.gdt[0] = 0;
    t.gdt[1] = 0x00af9a000000ffff; // 0x08: 64-bit code
    t.gdt[2] = 0x00cf92000000ffff; // 0x10: data
    uint64_t const tss = reinterpret_cast<uint64_t>(&t.tss);
    uint64_t const limit = sizeof(Tss) - 1;
    t.gdt[3] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ull << 40) |
               (((tss >> 24) & 0xff) << 56); // available 64-bit TSS
    t.gdt[4] = tss >> 32;
    t.tss.iomap_base = sizeof(Tss);
    for (unsigned i = 0; i < 3; ++i)
        t.tss.ist[i] = reinterpret_cast<uint64_t>(&t.ist_stacks[i][IST_STACK_BYTES]);

    Descriptor_pointer const gdtr{sizeof(t.gdt) - 1, reinterpret_cast<uint64_t>(t.gdt)};
    Descriptor_pointer const idtr{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lgdt %0\n\t"
                 "pushq $0x08\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "movw $0x10, %%ax\n\t"
                 "movw %%ax, %%ds\n\t"
                 "movw %%ax, %%es\n\t"
                 "movw %%ax, %%ss\n\t"
                 "ltr %w1\n\t"
                 "lidt %2"
                 :
                 : "m"(gdtr), "r"(SEL_TSS), "m"(idtr)
                 : "rax", "memory");
}

void set_irq_handler(uint8_t vector, Irq_handler handler)
{
    irq_handlers[vector] = handler;
}

Irq_handler irq_handler(uint8_t vector)
{
    return irq_handlers[vector];
}

} // namespace hv::x86
