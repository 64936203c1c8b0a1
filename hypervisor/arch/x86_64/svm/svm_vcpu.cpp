// SPDX-License-Identifier: MIT
// SVM vCPU: VMCB setup for the PVH entry state, the run loop step and exit decoding.
// TCG has no NRIPS and no decode assists: instruction lengths are known per exit (VMMCALL 3,
// CPUID/RDMSR/WRMSR 2, HLT 1) and IOIO gives the next RIP in EXITINFO2.
#include "arch/x86_64/svm/svm_vcpu.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"

extern "C" void svm_run(hv::arch::svm::Guest_gprs *gprs, uint64_t guest_vmcb_pa,
                        uint64_t host_save_pa);

namespace hv::arch::svm
{
namespace
{

constexpr uint64_t PAT_DEFAULT = 0x0007040600070406ull;

void flat_segment(Vmcb_segment &s, uint16_t selector, uint16_t attrib)
{
    s.selector = selector;
    s.attrib = attrib;
    s.limit = 0xffffffff;
    s.base = 0;
}

} // namespace

Vmcb &Svm_vcpu::vmcb() const
{
    return *x86::phys_to_virt<Vmcb>(vmcb_pa_);
}

void Svm_vcpu::init(Vcpu_config const &config, uint64_t vmcb_pa, uint64_t iopm_pa,
                    uint64_t msrpm_pa, uint64_t const *host_save_pa)
{
    vmcb_pa_ = vmcb_pa;
    host_save_pa_ = host_save_pa;
    space_ = static_cast<Npt *>(config.space);
    flushed_generation_ = ~0ull;
    last_cpu_ = ~0u;
    gprs_ = {};
    gprs_.rbx = config.entry.start_info_gpa;
    next_rip_ = 0;

    Vmcb &v = vmcb();
    // Only #DF: the guest's own handlers see every other exception, a triple fault comes back
    // as SHUTDOWN, and a #DF is reported with the guest's state before it escalates.
    v.exception_intercepts = 1u << 8;
    v.intercept_misc1 = misc1::INTR | misc1::NMI | misc1::SMI | misc1::INIT | misc1::CPUID |
                        misc1::INVD | misc1::HLT | misc1::INVLPGA | misc1::IOIO_PROT |
                        misc1::MSR_PROT | misc1::TASK_SWITCH | misc1::SHUTDOWN;
    v.intercept_misc2 = misc2::VMRUN | misc2::VMMCALL | misc2::VMLOAD | misc2::VMSAVE |
                        misc2::STGI | misc2::CLGI | misc2::SKINIT | misc2::ICEBP | misc2::MONITOR |
                        misc2::MWAIT | misc2::XSETBV;
    v.iopm_base_pa = iopm_pa;
    v.msrpm_base_pa = msrpm_pa;
    v.guest_asid = space_->asid();
    v.tlb_control = 1;
    v.v_intr = V_INTR_MASKING;
    v.np_enable = 1;
    v.n_cr3 = space_->root();

    // Xen PVH entry state: 32-bit flat protected mode, paging off.
    flat_segment(v.cs, 0x08, 0xc9b);
    flat_segment(v.ds, 0x10, 0xc93);
    flat_segment(v.es, 0x10, 0xc93);
    flat_segment(v.ss, 0x10, 0xc93);
    flat_segment(v.fs, 0x10, 0xc93);
    flat_segment(v.gs, 0x10, 0xc93);
    v.tr = {0x18, 0x08b, 0x67, 0}; // busy 32-bit TSS, base 0, limit 0x67
    v.ldtr = {0, 0x082, 0, 0};
    v.gdtr = {0, 0, 0, 0};
    v.idtr = {0, 0, 0, 0};
    v.cpl = 0;
    v.efer = x86::EFER_SVME;
    v.cr0 = x86::CR0_PE | x86::CR0_ET;
    v.cr3 = 0;
    v.cr4 = 0;
    v.dr6 = 0xffff0ff0;
    v.dr7 = 0x400;
    v.rflags = 0x2;
    v.rip = config.entry.entry;
    v.rsp = 0;
    v.rax = 0;
    v.g_pat = PAT_DEFAULT;
}

Exit Svm_vcpu::run(unsigned cpu)
{
    Vmcb &v = vmcb();
    // TCG has no flush-by-ASID: TLB_CONTROL 1 (flush everything) when this vCPU moved CPUs or
    // its space lost translations since it last ran.
    if (cpu != last_cpu_ || flushed_generation_ != space_->generation()) {
        v.tlb_control = 1;
        last_cpu_ = cpu;
        flushed_generation_ = space_->generation();
    }
    next_rip_ = 0;
    svm_run(&gprs_, vmcb_pa_, host_save_pa_[cpu]);
    v.tlb_control = 0;
    v.clean_bits = 0;
    return decode_exit();
}

Exit Svm_vcpu::decode_exit() const
{
    Vmcb const &v = vmcb();
    Exit e{};
    e.raw_code = v.exitcode;
    e.raw_info = v.exitinfo1;
    auto *self = const_cast<Svm_vcpu *>(this);
    if (static_cast<uint32_t>(v.exitcode) == exitcode::INVALID) {
        e.reason = Exit_reason::INVALID;
        return e;
    }
    switch (v.exitcode) {
    case exitcode::VMMCALL:
        e.reason = Exit_reason::HYPERCALL;
        self->next_rip_ = v.rip + 3;
        break;
    case exitcode::CPUID:
        e.reason = Exit_reason::CPUID;
        self->next_rip_ = v.rip + 2;
        break;
    case exitcode::HLT:
        e.reason = Exit_reason::HLT;
        self->next_rip_ = v.rip + 1;
        break;
    case exitcode::MSR:
        e.reason = v.exitinfo1 & 1 ? Exit_reason::MSR_WRITE : Exit_reason::MSR_READ;
        self->next_rip_ = v.rip + 2;
        break;
    case exitcode::IOIO: {
        uint64_t const i = v.exitinfo1;
        e.reason = Exit_reason::IO;
        e.io.in = (i & 1) != 0;
        e.io.string = (i & 4) != 0;
        e.io.rep = (i & 8) != 0;
        e.io.bytes = (i & 0x10) ? 1 : (i & 0x20) ? 2 : 4;
        e.io.port = static_cast<uint16_t>(i >> 16);
        self->next_rip_ = v.exitinfo2;
        break;
    }
    case exitcode::NPF:
        e.reason = Exit_reason::NESTED_PAGE_FAULT;
        e.npf.gpa = v.exitinfo2;
        e.npf.present = (v.exitinfo1 & 1) != 0;
        e.npf.write = (v.exitinfo1 & 2) != 0;
        e.npf.exec = (v.exitinfo1 & 0x10) != 0;
        e.npf.read = !e.npf.write && !e.npf.exec;
        break;
    case exitcode::INTR:
    case exitcode::NMI: e.reason = Exit_reason::INTERRUPT; break;
    case exitcode::SHUTDOWN: e.reason = Exit_reason::SHUTDOWN; break;
    default:
        if (v.exitcode >= exitcode::EXCEPTION_BASE && v.exitcode < exitcode::EXCEPTION_BASE + 32) {
            e.reason = Exit_reason::EXCEPTION;
            e.exception.vector = static_cast<uint8_t>(v.exitcode - exitcode::EXCEPTION_BASE);
            unsigned const vec = e.exception.vector;
            e.exception.has_error_code = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 ||
                                         vec == 21 || vec == 29 || vec == 30;
            e.exception.error_code = static_cast<uint32_t>(v.exitinfo1);
        } else {
            e.reason = Exit_reason::OTHER;
        }
        break;
    }
    return e;
}

uint64_t Svm_vcpu::reg(Reg r) const
{
    Vmcb const &v = vmcb();
    switch (r) {
    case Reg::RAX: return v.rax;
    case Reg::RCX: return gprs_.rcx;
    case Reg::RDX: return gprs_.rdx;
    case Reg::RBX: return gprs_.rbx;
    case Reg::RSP: return v.rsp;
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
    case Reg::RIP: return v.rip;
    case Reg::RFLAGS: return v.rflags;
    case Reg::CR0: return v.cr0;
    case Reg::CR2: return v.cr2;
    case Reg::CR3: return v.cr3;
    case Reg::CR4: return v.cr4;
    case Reg::EFER: return v.efer & ~x86::EFER_SVME; // SVME is the host's business
    case Reg::DR7: return v.dr7;
    }
    return 0;
}

void Svm_vcpu::reg(Reg r, uint64_t value)
{
    Vmcb &v = vmcb();
    switch (r) {
    case Reg::RAX: v.rax = value; break;
    case Reg::RCX: gprs_.rcx = value; break;
    case Reg::RDX: gprs_.rdx = value; break;
    case Reg::RBX: gprs_.rbx = value; break;
    case Reg::RSP: v.rsp = value; break;
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
    case Reg::RIP: v.rip = value; break;
    case Reg::RFLAGS: v.rflags = value | 0x2; break;
    case Reg::CR0: v.cr0 = value; break;
    case Reg::CR2: v.cr2 = value; break;
    case Reg::CR3: v.cr3 = value; break;
    case Reg::CR4: v.cr4 = value; break;
    case Reg::EFER: v.efer = value | x86::EFER_SVME; break;
    case Reg::DR7: v.dr7 = value; break;
    }
}

Guest_mode Svm_vcpu::mode() const
{
    Vmcb const &v = vmcb();
    if ((v.cr0 & x86::CR0_PE) == 0)
        return Guest_mode::REAL;
    if ((v.efer & x86::EFER_LMA) && (v.cs.attrib & 0x200))
        return Guest_mode::LONG64;
    return Guest_mode::PROT32;
}

unsigned Svm_vcpu::cpl() const
{
    return vmcb().cpl;
}

void Svm_vcpu::skip_instruction()
{
    if (next_rip_ != 0)
        vmcb().rip = next_rip_;
    next_rip_ = 0;
}

void Svm_vcpu::inject(Event const &e)
{
    uint64_t type = 0;
    switch (e.type) {
    case Event::Type::EXTERNAL_INTERRUPT: type = 0; break;
    case Event::Type::NMI: type = 2; break;
    case Event::Type::EXCEPTION: type = 3; break;
    }
    uint64_t inj = e.vector | (type << 8) | (1ull << 31);
    if (e.has_error_code)
        inj |= (1ull << 11) | (static_cast<uint64_t>(e.error_code) << 32);
    vmcb().eventinj = inj;
}

std::optional<uint64_t> Svm_vcpu::guest_msr(uint32_t index) const
{
    Vmcb const &v = vmcb();
    switch (index) {
    case x86::msr::EFER: return v.efer & ~x86::EFER_SVME;
    case x86::msr::PAT: return v.g_pat;
    case x86::msr::FS_BASE: return v.fs.base;
    case x86::msr::GS_BASE: return v.gs.base;
    case x86::msr::KERNEL_GS_BASE: return v.kernel_gs_base;
    case x86::msr::STAR: return v.star;
    case x86::msr::LSTAR: return v.lstar;
    case x86::msr::CSTAR: return v.cstar;
    case x86::msr::SFMASK: return v.sfmask;
    case x86::msr::SYSENTER_CS: return v.sysenter_cs;
    case x86::msr::SYSENTER_ESP: return v.sysenter_esp;
    case x86::msr::SYSENTER_EIP: return v.sysenter_eip;
    default: return std::nullopt;
    }
}

bool Svm_vcpu::guest_msr(uint32_t index, uint64_t value)
{
    Vmcb &v = vmcb();
    switch (index) {
    case x86::msr::EFER: {
        // LMA follows LME once paging is on; the CPU sets it at the CR0.PG write. Keep SVME.
        uint64_t const allowed = x86::EFER_SCE | x86::EFER_LME | x86::EFER_LMA | x86::EFER_NXE;
        v.efer = (value & allowed) | x86::EFER_SVME;
        return true;
    }
    case x86::msr::PAT: v.g_pat = value; return true;
    case x86::msr::FS_BASE: v.fs.base = value; return true;
    case x86::msr::GS_BASE: v.gs.base = value; return true;
    case x86::msr::KERNEL_GS_BASE: v.kernel_gs_base = value; return true;
    case x86::msr::STAR: v.star = value; return true;
    case x86::msr::LSTAR: v.lstar = value; return true;
    case x86::msr::CSTAR: v.cstar = value; return true;
    case x86::msr::SFMASK: v.sfmask = value; return true;
    case x86::msr::SYSENTER_CS: v.sysenter_cs = value; return true;
    case x86::msr::SYSENTER_ESP: v.sysenter_esp = value; return true;
    case x86::msr::SYSENTER_EIP: v.sysenter_eip = value; return true;
    default: return false;
    }
}

} // namespace hv::arch::svm
