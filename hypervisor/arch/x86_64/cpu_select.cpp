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
