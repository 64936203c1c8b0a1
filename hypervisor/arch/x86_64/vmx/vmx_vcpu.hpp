// SPDX-License-Identifier: MIT
// One VMX vCPU: its VMCS, a cached copy of the guest state the kernel reads and writes (synced
// with the VMCS only inside run(), where the CPU is known), and the CR0/CR4 emulation that
// fixed bits and the long-mode switch need. CR accesses are handled here and never reach the
// kernel, so the kernel sees the same exits as with SVM.
#pragma once

#include <array>
#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "arch/x86_64/vmx/ept.hpp"
#include "hv/vmx/capabilities.hpp"
#include "hv/vmx/control_plan.hpp"
#include "hv/vmx/exit_info.hpp"
#include "kernel/config.hpp"

namespace hv::arch::vmx
{

class Vmx_vcpu;

// What every vCPU shares: the decoded capabilities, the chosen controls, and per-CPU state.
struct Vmx_shared
{
    hv::vmx::Capabilities caps;
    hv::vmx::Control_plan plan;
    std::array<Vmx_vcpu *, kernel::MAX_CPUS> current{};     // VMCS loaded with VMPTRLD per CPU
    std::array<Vmx_vcpu *, kernel::MAX_CPUS> msrs_loaded{}; // whose STAR/LSTAR/... are live
};

// Layout shared with vmx_run.S (G_* offsets).
struct Guest_gprs
{
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, cr2;
};

class Vmx_vcpu final : public Vcpu
{
  public:
    // `vmcs_pa` is a zeroed page; `vpid` 0 when VPID is not in use.
    void init(Vcpu_config const &config, uint64_t vmcs_pa, uint16_t vpid, Vmx_shared &shared);
    bool in_use() const { return vmcs_pa_ != 0; }
    uint64_t vmcs_pa() const { return vmcs_pa_; }
    uint16_t vpid() const { return vpid_; }
    // Drops the VMCS from the CPU it is current on; the caller frees the page.
    void release();

    Exit run(unsigned cpu) override;
    uint64_t reg(Reg r) const override;
    void reg(Reg r, uint64_t value) override;
    Guest_mode mode() const override;
    unsigned cpl() const override;
    void skip_instruction() override;
    void inject(Event const &e) override;
    std::optional<uint64_t> guest_msr(uint32_t index) const override;
    bool guest_msr(uint32_t index, uint64_t value) override;

  private:
    enum Dirty : uint32_t
    {
        D_RIP = 1u << 0,
        D_RSP = 1u << 1,
        D_RFLAGS = 1u << 2,
        D_CR0 = 1u << 3,
        D_CR3 = 1u << 4,
        D_CR4 = 1u << 5,
        D_EFER = 1u << 6, // with the IA-32e mode entry control
        D_PAT = 1u << 7,
        D_SEG_BASES = 1u << 8,
        D_SYSENTER = 1u << 9,
        D_EVENT = 1u << 10,
        D_INTERRUPTIBILITY = 1u << 11,
        D_PDPTE = 1u << 12,
        D_DR7 = 1u << 13,
        D_ALL = ~0u,
    };

    bool make_current(unsigned cpu);
    void write_controls();
    void write_host_state();
    void write_initial_guest_state();
    void sync_to_vmcs();
    void sync_from_vmcs();
    void load_syscall_msrs(unsigned cpu);
    void flush_if_needed(unsigned cpu);
    uint32_t preemption_budget() const;

    // Returns true if the exit was handled here and the guest can be resumed at once.
    bool handle_cr_access(uint64_t qualification);
    bool set_cr0(uint64_t value); // false: the guest gets #GP
    bool set_cr4(uint64_t value); // false: the guest gets #GP
    void update_long_mode();
    void load_pdptes();
    void raise_gp();
    uint64_t gpr(unsigned index) const;
    Exit decode_exit(hv::vmx::Exit_reason_field reason, uint64_t qualification);

    uint64_t cr0_mask() const;
    uint64_t cr4_mask() const;

    Vmx_shared *shared_ = nullptr;
    uint64_t vmcs_pa_ = 0;
    uint16_t vpid_ = 0;
    Ept *space_ = nullptr;
    bool launched_ = false;
    bool set_up_ = false;
    unsigned cpu_ = ~0u; // CPU the VMCS was last current on
    uint64_t flushed_generation_ = ~0ull;
    uint32_t dirty_ = D_ALL;

    Guest_gprs gprs_{};
    // Guest state cache; cr0/cr4 are the values the guest believes it has.
    uint64_t rip_ = 0, rsp_ = 0, rflags_ = 0x2;
    uint64_t cr0_ = 0, cr3_ = 0, cr4_ = 0, efer_ = 0, pat_ = 0;
    uint64_t fs_base_ = 0, gs_base_ = 0, dr7_ = 0x400;
    uint64_t sysenter_cs_ = 0, sysenter_esp_ = 0, sysenter_eip_ = 0;
    uint64_t kernel_gs_base_ = 0, star_ = 0, lstar_ = 0, cstar_ = 0, sfmask_ = 0;
    uint32_t cs_ar_ = 0, ss_ar_ = 0, interruptibility_ = 0;
    std::array<uint64_t, 4> pdpte_{};

    uint32_t event_info_ = 0; // VM-entry interruption information for the next entry
    uint32_t event_error_ = 0;
    uint32_t event_length_ = 0;
    uint32_t exit_length_ = 0; // instruction length of the last exit, for skip_instruction()
};

} // namespace hv::arch::vmx
