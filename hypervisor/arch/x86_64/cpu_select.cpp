// SPDX-License-Identifier: MIT
// Picks the virtualization backend from CPUID: AMD SVM with NPT, or Intel VMX with EPT.
// Ownership: the SVM branch and the common checks belong to the SVM/kernel engineer; the VMX
// branch (and only it) belongs to the VMX backend (arch/x86_64/vmx/).
#include "arch/vcpu_backend.hpp"
#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/svm/svm_backend.hpp"
#include "arch/x86_64/vmx/vmx_backend.hpp"
#include "platform/log.hpp"

namespace hv::arch
{
namespace
{

bool cpu_has_svm()
{
    if (x86::cpuid(0x80000000).eax < 0x80000001)
        return false;
    return (x86::cpuid(0x80000001).ecx & (1u << 2)) != 0;
}

bool cpu_has_vmx()
{
    return (x86::cpuid(1).ecx & (1u << 5)) != 0;
}

} // namespace

char const *error_name(Error e)
{
    switch (e) {
    case Error::NO_VIRT_EXTENSION: return "the CPU has neither AMD SVM nor Intel VMX";
    case Error::VIRT_DISABLED_BY_FIRMWARE: return "virtualization is disabled by the firmware";
    case Error::NO_NESTED_PAGING: return "the CPU has no nested paging (NPT/EPT)";
    case Error::BACKEND_NOT_BUILT: return "this image has no backend for the CPU's extension";
    case Error::OUT_OF_MEMORY: return "out of memory";
    case Error::OUT_OF_TAGS: return "out of ASIDs/VPIDs";
    case Error::BAD_ARGUMENT: return "bad argument";
    case Error::ALREADY_MAPPED: return "already mapped";
    }
    return "unknown error";
}

Result<Backend *, Error> select_backend(Page_provider &pages)
{
    if (cpu_has_svm()) {
        log("cpu: AMD SVM offered\n");
        return svm::create_backend(pages);
    }
    if (cpu_has_vmx()) {
        // --- VMX branch (owned by the VMX backend) ---
        log("cpu: Intel VMX offered\n");
        return vmx::create_backend(pages);
        // --- end of VMX branch ---
    }
    return unexpected(Error::NO_VIRT_EXTENSION);
}

} // namespace hv::arch
