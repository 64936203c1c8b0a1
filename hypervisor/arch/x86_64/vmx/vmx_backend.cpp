// SPDX-License-Identifier: MIT
// The VMX Backend: feature discovery from the capability MSRs, VMXON per CPU (after the
// IA32_FEATURE_CONTROL and CR0/CR4 fixed-bit checks), VPIDs, and fixed pools of EPTs and vCPUs.
#include "arch/x86_64/vmx/vmx_backend.hpp"

#include <array>

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/hypercall_page.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/vmx/ept.hpp"
#include "arch/x86_64/vmx/vmx_insn.hpp"
#include "arch/x86_64/vmx/vmx_vcpu.hpp"
#include "hv/vmx/capabilities.hpp"
#include "hv/vmx/control_plan.hpp"
#include "hv/vmx/feature_control.hpp"
#include "kernel/config.hpp"
#include "platform/log.hpp"

namespace hv::arch::vmx
{
namespace
{

namespace V = hv::vmx;

constexpr size_t MAX_SPACES = kernel::MAX_DOMAINS;
constexpr size_t MAX_VCPUS = kernel::MAX_DOMAINS * 2;

// Missing EPT features map to NO_NESTED_PAGING; anything else this backend cannot do without
// to BACKEND_NOT_BUILT. The log line before says exactly what is missing.
Error error_for(V::Missing m)
{
    switch (m) {
    case V::Missing::EPT:
    case V::Missing::EPT_WALK_LENGTH_4:
    case V::Missing::EPT_WRITE_BACK:
    case V::Missing::INVEPT:
    case V::Missing::SECONDARY_CONTROLS: return Error::NO_NESTED_PAGING;
    default: return Error::BACKEND_NOT_BUILT;
    }
}

Result<void, Error> check_feature_control()
{
    auto const d = V::decide_feature_control(x86::rdmsr(V::msr::FEATURE_CONTROL));
    using A = V::Feature_control_decision::Action;
    switch (d.action) {
    case A::READY: return ok;
    case A::WRITE:
        x86::wrmsr(V::msr::FEATURE_CONTROL, d.value);
        log("vmx: IA32_FEATURE_CONTROL was unlocked: enabled VMX outside SMX and locked it\n");
        return ok;
    case A::LOCKED_OFF:
        log("vmx: VMX is locked off by the firmware (IA32_FEATURE_CONTROL = 0x%llx: locked, "
            "VMXON outside SMX disabled); enable VT-x in the firmware setup\n",
            static_cast<unsigned long long>(d.value));
        return unexpected(Error::VIRT_DISABLED_BY_FIRMWARE);
    }
    return unexpected(Error::VIRT_DISABLED_BY_FIRMWARE);
}

class Vmx_backend final : public Backend
{
  public:
    Result<void, Error> init(Page_provider &pages)
    {
        pages_ = &pages;
        HV_TRY(check_feature_control());
        shared_.caps = V::read_capabilities([](uint32_t i) { return x86::rdmsr(i); });
        auto const plan = V::plan_controls(shared_.caps);
        if (!plan) {
            log("vmx: this CPU cannot run Ward's VMX backend: %s\n", V::describe(plan.error()));
            return unexpected(error_for(plan.error()));
        }
        shared_.plan = *plan;
        auto const &c = shared_.caps;
        log("vmx: revision 0x%x, VMCS %u bytes, %s controls; EPT 4-level write-back%s, INVEPT "
            "%s; VPID %s; unrestricted guest\n",
            c.basic.revision, c.basic.region_size, c.basic.true_controls ? "TRUE" : "legacy",
            plan->ept_large_pages ? " (2M pages offered)" : "",
            plan->invept == V::Invept_type::SINGLE_CONTEXT ? "single-context" : "all-context",
            plan->vpid ? "on" : "off");
        log("vmx: controls pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x\n", plan->pin,
            plan->proc, plan->proc2, plan->exit, plan->entry);
        return ok;
    }

    char const *name() const override { return "vmx"; }

    Result<void, Error> enable_cpu(unsigned cpu) override
    {
        if (cpu >= kernel::MAX_CPUS)
            return unexpected(Error::BAD_ARGUMENT);
        HV_TRY(check_feature_control());
        // VMX operation needs the fixed CR0/CR4 bits (GRUB leaves CR0.NE clear; CR4.VMXE).
        uint64_t const cr0 = shared_.caps.cr0.apply(x86::read_cr0());
        uint64_t const cr4 = shared_.caps.cr4.apply(x86::read_cr4() | V::CR4_VMXE);
        if (shared_.caps.cr0.violations(cr0) != 0 || shared_.caps.cr4.violations(cr4) != 0) {
            log("vmx: cpu %u: CR0 0x%llx / CR4 0x%llx cannot meet the VMX fixed bits\n", cpu,
                static_cast<unsigned long long>(cr0), static_cast<unsigned long long>(cr4));
            return unexpected(Error::BACKEND_NOT_BUILT);
        }
        x86::write_cr0(cr0);
        x86::write_cr4(cr4);
        uint64_t const region = HV_TRY(pages_->alloc_pages(1));
        *x86::phys_to_virt<uint32_t>(region) = shared_.caps.basic.revision;
        if (!vmxon(region)) {
            log("vmx: cpu %u: VMXON failed\n", cpu);
            pages_->free_pages(region, 1);
            return unexpected(Error::VIRT_DISABLED_BY_FIRMWARE);
        }
        vmxon_region_[cpu] = region;
        // Nothing cached from before VMXON may be used by a guest.
        invept(static_cast<uint64_t>(V::Invept_type::ALL_CONTEXT), {0, 0});
        if (shared_.plan.vpid)
            invvpid(static_cast<uint64_t>(V::Invvpid_type::ALL_CONTEXT), {0, 0});
        log("vmx: cpu %u: VMXON ok (CR0 0x%llx, CR4 0x%llx)\n", cpu,
            static_cast<unsigned long long>(cr0), static_cast<unsigned long long>(cr4));
        return ok;
    }

    Result<Stage2 *, Error> create_stage2(uint16_t) override
    {
        for (Ept &e : spaces_) {
            if (e.in_use())
                continue;
            HV_TRY(e.init(*pages_));
            return static_cast<Stage2 *>(&e);
        }
        return unexpected(Error::OUT_OF_TAGS);
    }

    void destroy_stage2(Stage2 *space) override { static_cast<Ept *>(space)->release(); }

    Result<Vcpu *, Error> create_vcpu(Vcpu_config const &config) override
    {
        if (config.space == nullptr)
            return unexpected(Error::BAD_ARGUMENT);
        for (size_t i = 0; i < vcpus_.size(); ++i) {
            Vmx_vcpu &v = vcpus_[i];
            if (v.in_use())
                continue;
            uint64_t const vmcs = HV_TRY(pages_->alloc_pages(1));
            // One VPID per vCPU slot (0 is the host's): guest-linear translations of two
            // vCPUs never share a tag.
            uint16_t const vpid = shared_.plan.vpid ? static_cast<uint16_t>(i + 1) : 0;
            v.init(config, vmcs, vpid, shared_);
            return static_cast<Vcpu *>(&v);
        }
        return unexpected(Error::OUT_OF_MEMORY);
    }

    void destroy_vcpu(Vcpu *vcpu) override
    {
        auto *v = static_cast<Vmx_vcpu *>(vcpu);
        uint64_t const vmcs = v->vmcs_pa();
        if (shared_.plan.vpid)
            invvpid(static_cast<uint64_t>(shared_.plan.invvpid), {v->vpid(), 0});
        v->release();
        pages_->free_pages(vmcs, 1);
    }

    void write_hypercall_page(std::span<std::byte, 4096> page) const override
    {
        x86::fill_hypercall_page(page,
                                 {std::byte{0x0f}, std::byte{0x01}, std::byte{0xc1}}); // VMCALL
    }

  private:
    Page_provider *pages_ = nullptr;
    Vmx_shared shared_{};
    std::array<uint64_t, kernel::MAX_CPUS> vmxon_region_{};
    std::array<Ept, MAX_SPACES> spaces_{};
    std::array<Vmx_vcpu, MAX_VCPUS> vcpus_{};
};

Vmx_backend backend;

} // namespace

Result<Backend *, Error> create_backend(Page_provider &pages)
{
    HV_TRY(backend.init(pages));
    return static_cast<Backend *>(&backend);
}

} // namespace hv::arch::vmx
