// SPDX-License-Identifier: MIT
// The SVM Backend: feature checks, EFER.SVME + HSAVE per CPU, the shared intercept-all I/O and
// MSR permission maps, ASIDs, and fixed pools of NPTs and vCPUs.
#include "arch/x86_64/svm/svm_backend.hpp"

#include <array>

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/hypercall_page.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/svm/npt.hpp"
#include "arch/x86_64/svm/svm_vcpu.hpp"
#include "kernel/config.hpp"
#include "platform/log.hpp"

namespace hv::arch::svm
{
namespace
{

constexpr uint32_t MSR_VM_CR = 0xc0010114;
constexpr uint32_t MSR_VM_HSAVE_PA = 0xc0010117;
constexpr uint64_t VM_CR_SVMDIS = 1u << 4;
constexpr size_t MAX_SPACES = kernel::MAX_DOMAINS;
constexpr size_t MAX_VCPUS = kernel::MAX_DOMAINS * 2;
constexpr size_t IOPM_PAGES = 3;  // 12 KiB
constexpr size_t MSRPM_PAGES = 2; // 8 KiB

class Svm_backend final : public Backend
{
  public:
    Result<void, Error> init(Page_provider &pages)
    {
        pages_ = &pages;
        Cpuid const svm = x86::cpuid(0x8000000a);
        nasid_ = svm.ebx;
        if ((svm.edx & 1) == 0)
            return unexpected(Error::NO_NESTED_PAGING);
        if (x86::rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
            return unexpected(Error::VIRT_DISABLED_BY_FIRMWARE);
        if (nasid_ < 2)
            return unexpected(Error::OUT_OF_TAGS);
        // Intercept every port and every MSR: all bits set.
        iopm_pa_ = HV_TRY(pages.alloc_pages(IOPM_PAGES));
        msrpm_pa_ = HV_TRY(pages.alloc_pages(MSRPM_PAGES));
        fill_ones(iopm_pa_, IOPM_PAGES);
        fill_ones(msrpm_pa_, MSRPM_PAGES);
        log("svm: revision %u, %u ASIDs, features edx 0x%x (NRIPS %s, flush-by-ASID %s)\n",
            svm.eax & 0xff, nasid_, svm.edx, (svm.edx & (1u << 3)) ? "yes" : "no",
            (svm.edx & (1u << 6)) ? "yes" : "no");
        return ok;
    }

    char const *name() const override { return "svm"; }

    Result<void, Error> enable_cpu(unsigned cpu) override
    {
        if (cpu >= kernel::MAX_CPUS)
            return unexpected(Error::BAD_ARGUMENT);
        x86::wrmsr(x86::msr::EFER, x86::rdmsr(x86::msr::EFER) | x86::EFER_SVME);
        uint64_t const hsave = HV_TRY(pages_->alloc_pages(1));
        x86::wrmsr(MSR_VM_HSAVE_PA, hsave);
        host_save_[cpu] = HV_TRY(pages_->alloc_pages(1));
        log("svm: cpu %u: EFER.SVME on, HSAVE at 0x%llx\n", cpu,
            static_cast<unsigned long long>(hsave));
        return ok;
    }

    Result<Stage2 *, Error> create_stage2(uint16_t) override
    {
        for (size_t i = 0; i < MAX_SPACES; ++i) {
            Npt &n = spaces_[i];
            if (n.in_use())
                continue;
            // ASID 0 is the host's; one ASID per space, never shared.
            uint32_t const asid = static_cast<uint32_t>(i + 1);
            if (asid >= nasid_)
                return unexpected(Error::OUT_OF_TAGS);
            HV_TRY(n.init(*pages_, asid));
            return static_cast<Stage2 *>(&n);
        }
        return unexpected(Error::OUT_OF_TAGS);
    }

    void destroy_stage2(Stage2 *space) override { static_cast<Npt *>(space)->release(); }

    Result<Vcpu *, Error> create_vcpu(Vcpu_config const &config) override
    {
        if (config.space == nullptr)
            return unexpected(Error::BAD_ARGUMENT);
        for (Svm_vcpu &v : vcpus_) {
            if (v.in_use())
                continue;
            uint64_t const vmcb = HV_TRY(pages_->alloc_pages(1));
            v.init(config, vmcb, iopm_pa_, msrpm_pa_, host_save_.data());
            return static_cast<Vcpu *>(&v);
        }
        return unexpected(Error::OUT_OF_MEMORY);
    }

    void destroy_vcpu(Vcpu *vcpu) override
    {
        auto *v = static_cast<Svm_vcpu *>(vcpu);
        pages_->free_pages(v->vmcb_pa(), 1);
        v->release();
    }

    void write_hypercall_page(std::span<std::byte, 4096> page) const override
    {
        x86::fill_hypercall_page(page,
                                 {std::byte{0x0f}, std::byte{0x01}, std::byte{0xd9}}); // VMMCALL
    }

  private:
    using Cpuid = x86::Cpuid;

    static void fill_ones(uint64_t pa, size_t pages)
    {
        auto *p = x86::phys_to_virt<uint64_t>(pa);
        for (size_t i = 0; i < pages * 512; ++i)
            p[i] = ~0ull;
    }

    Page_provider *pages_ = nullptr;
    uint32_t nasid_ = 0;
    uint64_t iopm_pa_ = 0;
    uint64_t msrpm_pa_ = 0;
    std::array<uint64_t, kernel::MAX_CPUS> host_save_{};
    std::array<Npt, MAX_SPACES> spaces_{};
    std::array<Svm_vcpu, MAX_VCPUS> vcpus_{};
};

Svm_backend backend;

} // namespace

Result<Backend *, Error> create_backend(Page_provider &pages)
{
    HV_TRY(backend.init(pages));
    return static_cast<Backend *>(&backend);
}

} // namespace hv::arch::svm
