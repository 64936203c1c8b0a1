// SPDX-License-Identifier: MIT
// One SVM vCPU: its VMCB, the GPRs VMRUN does not save, and what the last exit needs for
// skip_instruction().
#pragma once

#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "arch/x86_64/svm/npt.hpp"
#include "arch/x86_64/svm/vmcb.hpp"

namespace hv::arch::svm
{

// Layout shared with svm_run.S (G_* offsets).
struct Guest_gprs
{
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

class Svm_vcpu final : public Vcpu
{
  public:
    // `vmcb_pa` is a zeroed page; iopm/msrpm the shared intercept-everything bitmaps.
    void init(Vcpu_config const &config, uint64_t vmcb_pa, uint64_t iopm_pa, uint64_t msrpm_pa,
              uint64_t const *host_save_pa);
    bool in_use() const { return vmcb_pa_ != 0; }
    uint64_t vmcb_pa() const { return vmcb_pa_; }
    void release() { vmcb_pa_ = 0; }

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
    Vmcb &vmcb() const;
    Exit decode_exit() const;

    uint64_t vmcb_pa_ = 0;
    uint64_t const *host_save_pa_ = nullptr; // per-CPU array owned by the backend
    Npt *space_ = nullptr;
    uint64_t flushed_generation_ = ~0ull;
    unsigned last_cpu_ = ~0u;
    Guest_gprs gprs_{};
    uint64_t next_rip_ = 0; // for skip_instruction(); 0: nothing to skip
};

} // namespace hv::arch::svm
