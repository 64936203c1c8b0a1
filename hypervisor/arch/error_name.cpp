// SPDX-License-Identifier: MIT
// Log text for the arch-neutral backend errors (arch/vcpu_backend.hpp).
#include "arch/vcpu_backend.hpp"

namespace hv::arch
{

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

} // namespace hv::arch
