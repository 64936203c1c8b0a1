// SPDX-License-Identifier: MIT
// VMX vCPU: VMCS setup for the PVH entry state, the run step, exit decoding into the
// arch-neutral Exit, and the CR0/CR4 emulation (fixed bits, long-mode switch).
#include "arch/x86_64/vmx/vmx_vcpu.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/vmx/vmx_insn.hpp"
#include "hv/vmx/access_rights.hpp"
#include "hv/vmx/cr_rules.hpp"
#include "hv/vmx/guest_msr_rules.hpp"
#include "hv/vmx/vmcs_field.hpp"
#include "kernel/kernel.hpp"
#include "platform/log.hpp"

extern "C" int vmx_run(hv::arch::vmx::Guest_gprs *gprs, uint64_t launched);
extern "C" char vmx_exit_entry[];

namespace hv::arch::vmx
{
namespace
{

namespace V = hv::vmx;
using V::Exit_reason_field;

constexpr uint64_t PAT_DEFAULT = 0x0007040600070406ull;
constexpr uint32_t INTR_BLOCK_STI_MOVSS = 3;
constexpr uint32_t EXCEPTION_DF = 1u << 8;
constexpr uint8_t VECTOR_GP = 13;
constexpr uint32_t EVENT_VALID = 1u << 31;
constexpr uint32_t EVENT_ERROR_CODE = 1u << 11;
constexpr uint64_t PREEMPTION_POLL_US = 2000;

// The eight guest segment registers share one layout: base + 2 * n in ES, CS, SS, DS, FS, GS,
// LDTR, TR order (pinned by vmcs_field_test).
Field seg_field(Field es_field, unsigned n)
{
    return static_cast<Field>(static_cast<uint32_t>(es_field) + 2 * n);
}

void write_segment(unsigned n, uint16_t selector, uint32_t ar, uint32_t limit, uint64_t base)
{
    vmwrite(seg_field(Field::GUEST_ES_SELECTOR, n), selector);
    vmwrite(seg_field(Field::GUEST_ES_ACCESS_RIGHTS, n), ar);
    vmwrite(seg_field(Field::GUEST_ES_LIMIT, n), limit);
    vmwrite(seg_field(Field::GUEST_ES_BASE, n), base);
}

struct [[gnu::packed]] Descriptor_pointer
{
    uint16_t limit;
    uint64_t base;
};

// The host's selector registers, for the VMCS host-state area: one reader each, since a
// segment register cannot be an asm operand.
#define WARD_READ_SELECTOR(name, insn)                                                             \
    uint16_t read_selector_##name()                                                                \
    {                                                                                              \
        uint16_t s;                                                                                \
        asm volatile(insn : "=r"(s));                                                              \
        return s;                                                                                  \
    }
WARD_READ_SELECTOR(cs, "mov %%cs, %0")
WARD_READ_SELECTOR(ss, "mov %%ss, %0")
WARD_READ_SELECTOR(ds, "mov %%ds, %0")
WARD_READ_SELECTOR(es, "mov %%es, %0")
WARD_READ_SELECTOR(fs, "mov %%fs, %0")
WARD_READ_SELECTOR(gs, "mov %%gs, %0")
WARD_READ_SELECTOR(tr, "str %0")
#undef WARD_READ_SELECTOR

// The 64-bit base of the system descriptor (the TSS) at `selector` in the GDT at `gdt`.
uint64_t system_descriptor_base(uint64_t gdt, uint16_t selector)
{
    auto const *d = reinterpret_cast<uint64_t const *>(gdt + (selector & ~7u));
    uint64_t const lo = d[0];
    uint64_t const hi = d[1];
    return ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | ((hi & 0xffffffff) << 32);
}

} // namespace

void Vmx_vcpu::init(Vcpu_config const &config, uint64_t vmcs_pa, uint16_t vpid, Vmx_shared &shared)
{
    shared_ = &shared;
    vmcs_pa_ = vmcs_pa;
    vpid_ = vpid;
    space_ = static_cast<Ept *>(config.space);
    launched_ = false;
    set_up_ = false;
    cpu_ = ~0u;
    flushed_generation_ = ~0ull;
    dirty_ = D_ALL;

    // Xen PVH entry state: 32-bit flat protected mode, paging off, EBX = start info.
    gprs_ = {};
    gprs_.rbx = config.entry.start_info_gpa;
    rip_ = config.entry.entry;
    rsp_ = 0;
    rflags_ = 0x2;
    cr0_ = x86::CR0_PE | x86::CR0_ET;
    cr3_ = 0;
    cr4_ = 0;
    efer_ = 0;
    pat_ = PAT_DEFAULT;
    fs_base_ = gs_base_ = 0;
    sysenter_cs_ = sysenter_esp_ = sysenter_eip_ = 0;
    kernel_gs_base_ = star_ = lstar_ = cstar_ = sfmask_ = 0;
    cs_ar_ = 0xc09b;
    ss_ar_ = 0xc093;
    interruptibility_ = 0;
    pdpte_ = {};
    event_info_ = event_error_ = event_length_ = 0;
    exit_length_ = 0;

    // The revision identifier goes into the first word of the region (SDM 25.2).
    *x86::phys_to_virt<uint32_t>(vmcs_pa_) = shared.caps.basic.revision;
}

void Vmx_vcpu::release()
{
    if (cpu_ < kernel::MAX_CPUS) {
        // Only valid on the CPU it was current on; Ward runs each vCPU on one CPU.
        vmclear(vmcs_pa_);
        if (shared_->current[cpu_] == this)
            shared_->current[cpu_] = nullptr;
        if (shared_->msrs_loaded[cpu_] == this)
            shared_->msrs_loaded[cpu_] = nullptr;
    }
    vmcs_pa_ = 0;
}

uint64_t Vmx_vcpu::cr0_mask() const
{
    // Bits whose guest value may differ from the real one: the fixed bits (NE; PE and PG are
    // free under unrestricted guest) and PG, whose changes switch long mode on and off.
    auto const f = shared_->caps.guest_cr0(true);
    return (f.fixed0 | ~f.fixed1 | x86::CR0_PG) & 0xffffffffull;
}

uint64_t Vmx_vcpu::cr4_mask() const
{
    auto const &f = shared_->caps.cr4;
    return f.fixed0 | ~f.fixed1;
}

bool Vmx_vcpu::make_current(unsigned cpu)
{
    if (shared_->current[cpu] == this)
        return true;
    if (!set_up_) {
        if (!vmclear(vmcs_pa_))
            return false;
        launched_ = false;
    }
    if (!vmptrld(vmcs_pa_))
        return false;
    shared_->current[cpu] = this;
    if (!set_up_) {
        write_controls();
        write_initial_guest_state();
        set_up_ = true;
    }
    if (cpu != cpu_) {
        // First run here: host state (TR, GDT, IDT bases) is per CPU, and cached guest
        // translations from an earlier CPU may be stale.
        write_host_state();
        cpu_ = cpu;
        flushed_generation_ = ~0ull;
    }
    return true;
}

void Vmx_vcpu::write_controls()
{
    auto const &p = shared_->plan;
    vmwrite(Field::PIN_BASED_CONTROLS, p.pin);
    vmwrite(Field::PROC_BASED_CONTROLS, p.proc);
    vmwrite(Field::SECONDARY_PROC_BASED_CONTROLS, p.proc2);
    vmwrite(Field::VM_EXIT_CONTROLS, p.exit);
    vmwrite(Field::VM_ENTRY_CONTROLS, p.entry_controls(false));
    // Only #DF, as with SVM: the guest's own handlers see every other exception and a triple
    // fault comes back as SHUTDOWN.
    vmwrite(Field::EXCEPTION_BITMAP, EXCEPTION_DF);
    vmwrite(Field::PAGE_FAULT_ERROR_MASK, 0);
    vmwrite(Field::PAGE_FAULT_ERROR_MATCH, 0);
    vmwrite(Field::CR3_TARGET_COUNT, 0);
    vmwrite(Field::VM_EXIT_MSR_STORE_COUNT, 0);
    vmwrite(Field::VM_EXIT_MSR_LOAD_COUNT, 0);
    vmwrite(Field::VM_ENTRY_MSR_LOAD_COUNT, 0);
    vmwrite(Field::VM_ENTRY_INTERRUPTION_INFO, 0);
    vmwrite(Field::TSC_OFFSET, 0);
    vmwrite(Field::CR0_GUEST_HOST_MASK, cr0_mask());
    vmwrite(Field::CR4_GUEST_HOST_MASK, cr4_mask());
    vmwrite(Field::EPT_POINTER, space_->eptp());
    if (p.vpid)
        vmwrite(Field::VPID, vpid_);
    vmwrite(Field::VMCS_LINK_POINTER, V::VMCS_LINK_POINTER_NONE);
}

void Vmx_vcpu::write_host_state()
{
    vmwrite(Field::HOST_CR0, x86::read_cr0());
    vmwrite(Field::HOST_CR3, x86::read_cr3());
    vmwrite(Field::HOST_CR4, x86::read_cr4());
    // RPL and TI must be 0 (SDM 26.2.3).
    vmwrite(Field::HOST_CS_SELECTOR, read_selector_cs() & ~7u);
    vmwrite(Field::HOST_SS_SELECTOR, read_selector_ss() & ~7u);
    vmwrite(Field::HOST_DS_SELECTOR, read_selector_ds() & ~7u);
    vmwrite(Field::HOST_ES_SELECTOR, read_selector_es() & ~7u);
    vmwrite(Field::HOST_FS_SELECTOR, read_selector_fs() & ~7u);
    vmwrite(Field::HOST_GS_SELECTOR, read_selector_gs() & ~7u);
    uint16_t const tr = read_selector_tr();
    vmwrite(Field::HOST_TR_SELECTOR, tr & ~7u);
    Descriptor_pointer gdtr{}, idtr{};
    asm volatile("sgdt %0" : "=m"(gdtr));
    asm volatile("sidt %0" : "=m"(idtr));
    vmwrite(Field::HOST_GDTR_BASE, gdtr.base);
    vmwrite(Field::HOST_IDTR_BASE, idtr.base);
    vmwrite(Field::HOST_TR_BASE, system_descriptor_base(gdtr.base, tr));
    vmwrite(Field::HOST_FS_BASE, x86::rdmsr(x86::msr::FS_BASE));
    vmwrite(Field::HOST_GS_BASE, x86::rdmsr(x86::msr::GS_BASE));
    vmwrite(Field::HOST_SYSENTER_CS, 0);
    vmwrite(Field::HOST_SYSENTER_ESP, 0);
    vmwrite(Field::HOST_SYSENTER_EIP, 0);
    vmwrite(Field::HOST_IA32_EFER, x86::rdmsr(x86::msr::EFER));
    vmwrite(Field::HOST_IA32_PAT, x86::rdmsr(x86::msr::PAT));
    vmwrite(Field::HOST_RIP, reinterpret_cast<uint64_t>(vmx_exit_entry));
}

void Vmx_vcpu::write_initial_guest_state()
{
    // ES, CS, SS, DS, FS, GS, LDTR, TR; the VMX access-rights format (bit 16 = unusable).
    write_segment(0, 0x10, 0xc093, 0xffffffff, 0);
    write_segment(1, 0x08, 0xc09b, 0xffffffff, 0);
    write_segment(2, 0x10, 0xc093, 0xffffffff, 0);
    write_segment(3, 0x10, 0xc093, 0xffffffff, 0);
    write_segment(4, 0x10, 0xc093, 0xffffffff, 0);
    write_segment(5, 0x10, 0xc093, 0xffffffff, 0);
    write_segment(6, 0, V::AR_UNUSABLE, 0, 0);
    write_segment(7, 0x18, 0x008b, 0x67, 0); // busy 32-bit TSS
    vmwrite(Field::GUEST_GDTR_BASE, 0);
    vmwrite(Field::GUEST_GDTR_LIMIT, 0);
    vmwrite(Field::GUEST_IDTR_BASE, 0);
    vmwrite(Field::GUEST_IDTR_LIMIT, 0);
    vmwrite(Field::GUEST_DR7, 0x400);
    vmwrite(Field::GUEST_IA32_DEBUGCTL, 0);
    vmwrite(Field::GUEST_ACTIVITY_STATE, 0);
    vmwrite(Field::GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
    vmwrite(Field::GUEST_SMBASE, 0);
    dirty_ = D_ALL;
}

void Vmx_vcpu::sync_to_vmcs()
{
    uint32_t const d = dirty_;
    if (d & D_RIP)
        vmwrite(Field::GUEST_RIP, rip_);
    if (d & D_RSP)
        vmwrite(Field::GUEST_RSP, rsp_);
    if (d & D_RFLAGS)
        vmwrite(Field::GUEST_RFLAGS, rflags_);
    if (d & D_CR0) {
        vmwrite(Field::GUEST_CR0, shared_->caps.guest_cr0(true).apply(cr0_));
        vmwrite(Field::CR0_READ_SHADOW, cr0_);
    }
    if (d & D_CR3)
        vmwrite(Field::GUEST_CR3, cr3_);
    if (d & D_CR4) {
        vmwrite(Field::GUEST_CR4, shared_->caps.cr4.apply(cr4_));
        vmwrite(Field::CR4_READ_SHADOW, cr4_);
    }
    if (d & D_EFER) {
        vmwrite(Field::GUEST_IA32_EFER, efer_);
        vmwrite(Field::VM_ENTRY_CONTROLS,
                shared_->plan.entry_controls((efer_ & x86::EFER_LMA) != 0));
    }
    if (d & D_PAT)
        vmwrite(Field::GUEST_IA32_PAT, pat_);
    if (d & D_SEG_BASES) {
        vmwrite(Field::GUEST_FS_BASE, fs_base_);
        vmwrite(Field::GUEST_GS_BASE, gs_base_);
    }
    if (d & D_SYSENTER) {
        vmwrite(Field::GUEST_SYSENTER_CS, sysenter_cs_);
        vmwrite(Field::GUEST_SYSENTER_ESP, sysenter_esp_);
        vmwrite(Field::GUEST_SYSENTER_EIP, sysenter_eip_);
    }
    if (d & D_INTERRUPTIBILITY)
        vmwrite(Field::GUEST_INTERRUPTIBILITY_STATE, interruptibility_);
    if (d & D_DR7)
        vmwrite(Field::GUEST_DR7, dr7_);
    if (d & D_PDPTE) {
        vmwrite(Field::GUEST_PDPTE0, pdpte_[0]);
        vmwrite(Field::GUEST_PDPTE1, pdpte_[1]);
        vmwrite(Field::GUEST_PDPTE2, pdpte_[2]);
        vmwrite(Field::GUEST_PDPTE3, pdpte_[3]);
    }
    if (shared_->plan.preemption_timer)
        vmwrite(Field::VMX_PREEMPTION_TIMER_VALUE, preemption_budget());
    if (event_info_ & EVENT_VALID) {
        vmwrite(Field::VM_ENTRY_INTERRUPTION_INFO, event_info_);
        vmwrite(Field::VM_ENTRY_EXCEPTION_ERROR_CODE, event_error_);
        vmwrite(Field::VM_ENTRY_INSTRUCTION_LENGTH, event_length_);
        event_info_ = 0; // delivered by this entry (the CPU clears the field on exit)
    }
    dirty_ = 0;
}

void Vmx_vcpu::sync_from_vmcs()
{
    // What the guest can change without an exit.
    rip_ = vmread(Field::GUEST_RIP);
    rsp_ = vmread(Field::GUEST_RSP);
    rflags_ = vmread(Field::GUEST_RFLAGS);
    uint64_t const m0 = cr0_mask();
    cr0_ = (vmread(Field::GUEST_CR0) & ~m0) | (cr0_ & m0);
    cr3_ = vmread(Field::GUEST_CR3);
    uint64_t const m4 = cr4_mask();
    cr4_ = (vmread(Field::GUEST_CR4) & ~m4) | (cr4_ & m4);
    fs_base_ = vmread(Field::GUEST_FS_BASE);
    gs_base_ = vmread(Field::GUEST_GS_BASE);
    cs_ar_ = static_cast<uint32_t>(vmread(Field::GUEST_CS_ACCESS_RIGHTS));
    ss_ar_ = static_cast<uint32_t>(vmread(Field::GUEST_SS_ACCESS_RIGHTS));
    interruptibility_ = static_cast<uint32_t>(vmread(Field::GUEST_INTERRUPTIBILITY_STATE));
}

uint32_t Vmx_vcpu::preemption_budget() const
{
    // At most PREEMPTION_POLL_US of guest time between two exits, so the host tick is never
    // held back longer than that even if the CPU withholds external-interrupt exits.
    uint64_t const tsc = kernel::tsc_per_us() * PREEMPTION_POLL_US;
    uint64_t const units = tsc >> shared_->plan.preemption_timer_shift;
    if (units == 0)
        return 1;
    return units > 0xffffffffull ? 0xffffffffu : static_cast<uint32_t>(units);
}

void Vmx_vcpu::load_syscall_msrs(unsigned cpu)
{
    // STAR, LSTAR, CSTAR, SFMASK and KERNEL_GS_BASE are not in the VMCS. The host never uses
    // them, and every guest RDMSR/WRMSR exits (no MSR bitmap), so the copies here are
    // authoritative and are loaded only when another vCPU's values are live.
    if (shared_->msrs_loaded[cpu] == this)
        return;
    x86::wrmsr(x86::msr::STAR, star_);
    x86::wrmsr(x86::msr::LSTAR, lstar_);
    x86::wrmsr(x86::msr::CSTAR, cstar_);
    x86::wrmsr(x86::msr::SFMASK, sfmask_);
    x86::wrmsr(x86::msr::KERNEL_GS_BASE, kernel_gs_base_);
    shared_->msrs_loaded[cpu] = this;
}

void Vmx_vcpu::flush_if_needed(unsigned cpu)
{
    (void)cpu;
    if (flushed_generation_ == space_->generation())
        return;
    auto const &p = shared_->plan;
    invept(static_cast<uint64_t>(p.invept), {space_->eptp(), 0});
    if (p.vpid)
        invvpid(static_cast<uint64_t>(p.invvpid), {vpid_, 0});
    flushed_generation_ = space_->generation();
}

Exit Vmx_vcpu::run(unsigned cpu)
{
    Exit e{};
    if (cpu >= kernel::MAX_CPUS || !make_current(cpu)) {
        log("vmx: vCPU cannot be loaded on cpu %u\n", cpu);
        e.reason = Exit_reason::INVALID;
        return e;
    }
    flush_if_needed(cpu);
    load_syscall_msrs(cpu);
    exit_length_ = 0;
    for (;;) {
        sync_to_vmcs();
        if (vmx_run(&gprs_, launched_ ? 1 : 0) != 0) {
            uint64_t const err = vmread(Field::VM_INSTRUCTION_ERROR);
            log("vmx: VM entry failed: %s (error %llu)\n",
                V::instruction_error_name(static_cast<uint32_t>(err)),
                static_cast<unsigned long long>(err));
            e.reason = Exit_reason::INVALID;
            e.raw_code = err;
            return e;
        }
        launched_ = true;
        // Interrupts are not acknowledged on exit: a one-instruction window lets a pending
        // host interrupt (the scheduler tick) reach its IDT handler now, after every exit, as
        // the SVM backend's STGI does.
        asm volatile("sti; nop; cli" ::: "memory");
        sync_from_vmcs();
        auto const reason =
            Exit_reason_field::decode(static_cast<uint32_t>(vmread(Field::EXIT_REASON)));
        uint64_t const qual = vmread(Field::EXIT_QUALIFICATION);

        // An event whose delivery was cut short by this exit is delivered again next time.
        uint32_t const vectoring = static_cast<uint32_t>(vmread(Field::IDT_VECTORING_INFO));
        if (vectoring & EVENT_VALID) {
            event_info_ = (vectoring & 0xfff) | EVENT_VALID; // bits 30:12 must be 0 on entry
            event_error_ = static_cast<uint32_t>(vmread(Field::IDT_VECTORING_ERROR_CODE));
            event_length_ = static_cast<uint32_t>(vmread(Field::VM_EXIT_INSTRUCTION_LENGTH));
        }

        if (!reason.entry_failure && reason.basic == V::Exit_reason::CR_ACCESS) {
            if (handle_cr_access(qual))
                continue;
        }
        return decode_exit(reason, qual);
    }
}

Exit Vmx_vcpu::decode_exit(Exit_reason_field reason, uint64_t qual)
{
    Exit e{};
    e.raw_code = static_cast<uint64_t>(reason.basic) | (reason.entry_failure ? 1ull << 31 : 0);
    e.raw_info = qual;
    if (reason.entry_failure) {
        log("vmx: VM entry failed: %s (qualification 0x%llx)\n", V::exit_reason_name(reason.basic),
            static_cast<unsigned long long>(qual));
        e.reason = Exit_reason::INVALID;
        return e;
    }
    switch (reason.basic) {
    case V::Exit_reason::VMCALL:
        e.reason = Exit_reason::HYPERCALL;
        exit_length_ = static_cast<uint32_t>(vmread(Field::VM_EXIT_INSTRUCTION_LENGTH));
        break;
    case V::Exit_reason::CPUID:
        e.reason = Exit_reason::CPUID;
        exit_length_ = static_cast<uint32_t>(vmread(Field::VM_EXIT_INSTRUCTION_LENGTH));
        break;
    case V::Exit_reason::HLT:
        e.reason = Exit_reason::HLT;
        exit_length_ = static_cast<uint32_t>(vmread(Field::VM_EXIT_INSTRUCTION_LENGTH));
        break;
    case V::Exit_reason::RDMSR:
    case V::Exit_reason::WRMSR:
        e.reason =
            reason.basic == V::Exit_reason::RDMSR ? Exit_reason::MSR_READ : Exit_reason::MSR_WRITE;
        exit_length_ = static_cast<uint32_t>(vmread(Field::VM_EXIT_INSTRUCTION_LENGTH));
        break;
    case V::Exit_reason::IO_INSTRUCTION: {
        auto const q = V::Io_qualification::decode(qual);
        e.reason = Exit_reason::IO;
        e.io.port = q.port;
        e.io.bytes = q.size;
        e.io.in = q.in;
        e.io.string = q.string;
        e.io.rep = q.rep;
        exit_length_ = static_cast<uint32_t>(vmread(Field::VM_EXIT_INSTRUCTION_LENGTH));
        break;
    }
    case V::Exit_reason::EPT_VIOLATION: {
        auto const q = V::Ept_violation_qualification::decode(qual);
        e.reason = Exit_reason::NESTED_PAGE_FAULT;
        e.npf.gpa = vmread(Field::GUEST_PHYSICAL_ADDRESS);
        e.npf.read = q.read;
        e.npf.write = q.write;
        e.npf.exec = q.fetch;
        e.npf.present = !q.not_present();
        break;
    }
    case V::Exit_reason::EXTERNAL_INTERRUPT:
    case V::Exit_reason::PREEMPTION_TIMER:
        // The host handler has already run in run()'s interrupt window.
        e.reason = Exit_reason::INTERRUPT;
        break;
    case V::Exit_reason::TRIPLE_FAULT: e.reason = Exit_reason::SHUTDOWN; break;
    case V::Exit_reason::EXCEPTION_OR_NMI: {
        auto const info = V::Interruption_info::decode(
            static_cast<uint32_t>(vmread(Field::VM_EXIT_INTERRUPTION_INFO)));
        if (info.type == 2) { // NMI: the host's, not the guest's
            asm volatile("int $2" ::: "memory");
            e.reason = Exit_reason::INTERRUPT;
            break;
        }
        e.reason = Exit_reason::EXCEPTION;
        e.exception.vector = info.vector;
        e.exception.has_error_code = info.error_code_valid;
        e.exception.error_code =
            static_cast<uint32_t>(vmread(Field::VM_EXIT_INTERRUPTION_ERROR_CODE));
        break;
    }
    default:
        log("vmx: unhandled exit: %s (reason %u, qualification 0x%llx)\n",
            V::exit_reason_name(reason.basic), static_cast<unsigned>(reason.basic),
            static_cast<unsigned long long>(qual));
        e.reason = Exit_reason::OTHER;
        break;
    }
    return e;
}

uint64_t Vmx_vcpu::gpr(unsigned index) const
{
    switch (index) {
    case 0: return gprs_.rax;
    case 1: return gprs_.rcx;
    case 2: return gprs_.rdx;
    case 3: return gprs_.rbx;
    case 4: return rsp_;
    case 5: return gprs_.rbp;
    case 6: return gprs_.rsi;
    case 7: return gprs_.rdi;
    case 8: return gprs_.r8;
    case 9: return gprs_.r9;
    case 10: return gprs_.r10;
    case 11: return gprs_.r11;
    case 12: return gprs_.r12;
    case 13: return gprs_.r13;
    case 14: return gprs_.r14;
    default: return gprs_.r15;
    }
}

void Vmx_vcpu::raise_gp()
{
    inject({Event::Type::EXCEPTION, VECTOR_GP, true, 0});
}

bool Vmx_vcpu::handle_cr_access(uint64_t q)
{
    auto const a = V::Cr_access::decode(q);
    bool accepted = false;
    if (a.type == V::Cr_access_type::MOV_TO_CR && a.cr == 0)
        accepted = set_cr0(gpr(a.gpr));
    else if (a.type == V::Cr_access_type::MOV_TO_CR && a.cr == 4)
        accepted = set_cr4(gpr(a.gpr));
    else if (a.type == V::Cr_access_type::CLTS)
        accepted = set_cr0(cr0_ & ~V::cr0::TS);
    else if (a.type == V::Cr_access_type::LMSW)
        accepted = set_cr0(V::lmsw_value(cr0_, a.lmsw_source));
    else
        return false;
    if (!accepted) {
        raise_gp(); // a fault: RIP stays on the instruction
        return true;
    }
    rip_ += vmread(Field::VM_EXIT_INSTRUCTION_LENGTH);
    interruptibility_ &= ~INTR_BLOCK_STI_MOVSS;
    dirty_ |= D_RIP | D_INTERRUPTIBILITY;
    return true;
}

bool Vmx_vcpu::set_cr0(uint64_t value)
{
    auto const cr0 = V::cr0_write(cr0_, value, efer_, cr4_);
    if (!cr0)
        return false;
    cr0_ = *cr0;
    dirty_ |= D_CR0;
    update_long_mode();
    return true;
}

bool Vmx_vcpu::set_cr4(uint64_t value)
{
    if (!V::cr4_write_valid(value, shared_->caps.cr4.fixed1, efer_))
        return false;
    cr4_ = value;
    dirty_ |= D_CR4;
    update_long_mode();
    return true;
}

void Vmx_vcpu::update_long_mode()
{
    // The IA-32e-mode entry control follows EFER.LMA (written with D_EFER).
    uint64_t const efer = V::efer_with_lma(efer_, cr0_);
    if (efer != efer_) {
        efer_ = efer;
        dirty_ |= D_EFER;
    }
    bool const lma = (efer_ & x86::EFER_LMA) != 0;
    if (!lma && (cr0_ & x86::CR0_PG) && (cr4_ & x86::CR4_PAE))
        load_pdptes();
}

void Vmx_vcpu::load_pdptes()
{
    // PAE paging outside long mode: VM entry loads the four PDPTEs from the VMCS.
    uint64_t const base = cr3_ & 0xffffffe0ull;
    for (unsigned i = 0; i < 4; ++i) {
        auto const hpa = space_->translate(base + 8 * i);
        pdpte_[i] = hpa ? *x86::phys_to_virt<uint64_t>(*hpa) : 0;
    }
    dirty_ |= D_PDPTE;
}

uint64_t Vmx_vcpu::reg(Reg r) const
{
    switch (r) {
    case Reg::RAX: return gprs_.rax;
    case Reg::RCX: return gprs_.rcx;
    case Reg::RDX: return gprs_.rdx;
    case Reg::RBX: return gprs_.rbx;
    case Reg::RSP: return rsp_;
    case Reg::RBP: return gprs_.rbp;
    case Reg::RSI: return gprs_.rsi;
    case Reg::RDI: return gprs_.rdi;
    case Reg::R8: return gprs_.r8;
    case Reg::R9: return gprs_.r9;
    case Reg::R10: return gprs_.r10;
    case Reg::R11: return gprs_.r11;
    case Reg::R12: return gprs_.r12;
    case Reg::R13: return gprs_.r13;
    case Reg::R14: return gprs_.r14;
    case Reg::R15: return gprs_.r15;
    case Reg::RIP: return rip_;
    case Reg::RFLAGS: return rflags_;
    case Reg::CR0: return cr0_;
    case Reg::CR2: return gprs_.cr2;
    case Reg::CR3: return cr3_;
    case Reg::CR4: return cr4_;
    case Reg::EFER: return efer_;
    case Reg::DR7: return dr7_;
    }
    return 0;
}

void Vmx_vcpu::reg(Reg r, uint64_t value)
{
    switch (r) {
    case Reg::RAX: gprs_.rax = value; break;
    case Reg::RCX: gprs_.rcx = value; break;
    case Reg::RDX: gprs_.rdx = value; break;
    case Reg::RBX: gprs_.rbx = value; break;
    case Reg::RSP:
        rsp_ = value;
        dirty_ |= D_RSP;
        break;
    case Reg::RBP: gprs_.rbp = value; break;
    case Reg::RSI: gprs_.rsi = value; break;
    case Reg::RDI: gprs_.rdi = value; break;
    case Reg::R8: gprs_.r8 = value; break;
    case Reg::R9: gprs_.r9 = value; break;
    case Reg::R10: gprs_.r10 = value; break;
    case Reg::R11: gprs_.r11 = value; break;
    case Reg::R12: gprs_.r12 = value; break;
    case Reg::R13: gprs_.r13 = value; break;
    case Reg::R14: gprs_.r14 = value; break;
    case Reg::R15: gprs_.r15 = value; break;
    case Reg::RIP:
        rip_ = value;
        dirty_ |= D_RIP;
        break;
    case Reg::RFLAGS:
        rflags_ = V::sanitize_rflags(value);
        dirty_ |= D_RFLAGS;
        break;
    case Reg::CR0:
        cr0_ = value;
        dirty_ |= D_CR0;
        update_long_mode();
        break;
    case Reg::CR2: gprs_.cr2 = value; break;
    case Reg::CR3:
        cr3_ = value;
        dirty_ |= D_CR3;
        break;
    case Reg::CR4:
        cr4_ = value;
        dirty_ |= D_CR4;
        break;
    case Reg::EFER: (void)guest_msr(x86::msr::EFER, value); break;
    case Reg::DR7:
        dr7_ = value;
        dirty_ |= D_DR7;
        break;
    }
}

Guest_mode Vmx_vcpu::mode() const
{
    if ((cr0_ & x86::CR0_PE) == 0)
        return Guest_mode::REAL;
    if ((efer_ & x86::EFER_LMA) && (cs_ar_ & V::AR_L))
        return Guest_mode::LONG64;
    return Guest_mode::PROT32;
}

unsigned Vmx_vcpu::cpl() const
{
    return (ss_ar_ >> 5) & 3;
}

void Vmx_vcpu::skip_instruction()
{
    if (exit_length_ == 0)
        return;
    rip_ += exit_length_;
    exit_length_ = 0;
    // The instruction after STI or MOV SS has now been passed (e.g. `sti; hlt`).
    interruptibility_ &= ~INTR_BLOCK_STI_MOVSS;
    dirty_ |= D_RIP | D_INTERRUPTIBILITY;
}

void Vmx_vcpu::inject(Event const &e)
{
    uint32_t type = 0;
    switch (e.type) {
    case Event::Type::EXTERNAL_INTERRUPT: type = 0; break;
    case Event::Type::NMI: type = 2; break;
    case Event::Type::EXCEPTION: type = 3; break;
    }
    event_info_ = e.vector | (type << 8) | EVENT_VALID;
    // In real mode no error code is pushed; delivering one would fail the entry.
    if (e.has_error_code && (cr0_ & x86::CR0_PE))
        event_info_ |= EVENT_ERROR_CODE;
    event_error_ = e.error_code;
    event_length_ = 0;
}

std::optional<uint64_t> Vmx_vcpu::guest_msr(uint32_t index) const
{
    switch (index) {
    case x86::msr::EFER: return efer_;
    case x86::msr::PAT: return pat_;
    case x86::msr::FS_BASE: return fs_base_;
    case x86::msr::GS_BASE: return gs_base_;
    case x86::msr::KERNEL_GS_BASE: return kernel_gs_base_;
    case x86::msr::STAR: return star_;
    case x86::msr::LSTAR: return lstar_;
    case x86::msr::CSTAR: return cstar_;
    case x86::msr::SFMASK: return sfmask_;
    case x86::msr::SYSENTER_CS: return sysenter_cs_;
    case x86::msr::SYSENTER_ESP: return sysenter_esp_;
    case x86::msr::SYSENTER_EIP: return sysenter_eip_;
    default: return std::nullopt;
    }
}

bool Vmx_vcpu::guest_msr(uint32_t index, uint64_t value)
{
    // Values VM entry would refuse are refused here (false): the kernel's unknown-MSR policy
    // applies, and the guest can never cause a failed VM entry.
    bool const address = index == x86::msr::FS_BASE || index == x86::msr::GS_BASE ||
                         index == x86::msr::SYSENTER_ESP || index == x86::msr::SYSENTER_EIP ||
                         index == x86::msr::KERNEL_GS_BASE || index == x86::msr::LSTAR ||
                         index == x86::msr::CSTAR;
    if (address && !V::canonical(value))
        return false;
    switch (index) {
    case x86::msr::EFER:
        if (!V::efer_write_valid(efer_, value, (cr0_ & x86::CR0_PG) != 0))
            return false;
        // LMA is the CPU's: it follows LME once paging is on (update_long_mode).
        efer_ = (value & (x86::EFER_SCE | x86::EFER_LME | x86::EFER_NXE)) | (efer_ & x86::EFER_LMA);
        dirty_ |= D_EFER;
        update_long_mode();
        return true;
    case x86::msr::PAT:
        if (!V::pat_valid(value))
            return false;
        pat_ = value;
        dirty_ |= D_PAT;
        return true;
    case x86::msr::FS_BASE:
        fs_base_ = value;
        dirty_ |= D_SEG_BASES;
        return true;
    case x86::msr::GS_BASE:
        gs_base_ = value;
        dirty_ |= D_SEG_BASES;
        return true;
    case x86::msr::SYSENTER_CS:
        sysenter_cs_ = value;
        dirty_ |= D_SYSENTER;
        return true;
    case x86::msr::SYSENTER_ESP:
        sysenter_esp_ = value;
        dirty_ |= D_SYSENTER;
        return true;
    case x86::msr::SYSENTER_EIP:
        sysenter_eip_ = value;
        dirty_ |= D_SYSENTER;
        return true;
    case x86::msr::KERNEL_GS_BASE: kernel_gs_base_ = value; break;
    case x86::msr::STAR: star_ = value; break;
    case x86::msr::LSTAR: lstar_ = value; break;
    case x86::msr::CSTAR: cstar_ = value; break;
    case x86::msr::SFMASK: sfmask_ = value; break;
    default: return false;
    }
    // A syscall MSR changed: reload this vCPU's set before its next entry.
    for (auto &owner : shared_->msrs_loaded)
        if (owner == this)
            owner = nullptr;
    return true;
}

} // namespace hv::arch::vmx
