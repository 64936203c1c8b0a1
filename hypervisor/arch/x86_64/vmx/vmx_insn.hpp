// SPDX-License-Identifier: MIT
// VMX instructions as inline functions. Each reports VMfailInvalid (CF) and VMfailValid (ZF)
// as false; the VM-instruction error field then says why (for VMfailValid).
#pragma once

#include <cstdint>

#include "hv/compiler.hpp"
#include "hv/vmx/vmcs_field.hpp"

namespace hv::arch::vmx
{

using hv::vmx::Field;

HV_ALWAYS_INLINE bool vmxon(uint64_t const &region_pa)
{
    bool fail;
    asm volatile("vmxon %1"
                 : "=@cc"
                   "be"(fail)
                 : "m"(region_pa)
                 : "memory", "cc");
    return !fail;
}

HV_ALWAYS_INLINE bool vmclear(uint64_t const &vmcs_pa)
{
    bool fail;
    asm volatile("vmclear %1"
                 : "=@cc"
                   "be"(fail)
                 : "m"(vmcs_pa)
                 : "memory", "cc");
    return !fail;
}

HV_ALWAYS_INLINE bool vmptrld(uint64_t const &vmcs_pa)
{
    bool fail;
    asm volatile("vmptrld %1"
                 : "=@cc"
                   "be"(fail)
                 : "m"(vmcs_pa)
                 : "memory", "cc");
    return !fail;
}

HV_ALWAYS_INLINE uint64_t vmread(Field f)
{
    uint64_t v;
    asm volatile("vmread %1, %0" : "=r"(v) : "r"(static_cast<uint64_t>(f)) : "cc");
    return v;
}

HV_ALWAYS_INLINE bool vmwrite(Field f, uint64_t v)
{
    bool fail;
    asm volatile("vmwrite %2, %1"
                 : "=@cc"
                   "be"(fail)
                 : "r"(static_cast<uint64_t>(f)), "rm"(v)
                 : "cc");
    return !fail;
}

struct Invept_descriptor
{
    uint64_t eptp;
    uint64_t reserved;
};

HV_ALWAYS_INLINE bool invept(uint64_t type, Invept_descriptor const &d)
{
    bool fail;
    asm volatile("invept %1, %2"
                 : "=@cc"
                   "be"(fail)
                 : "m"(d), "r"(type)
                 : "memory", "cc");
    return !fail;
}

struct Invvpid_descriptor
{
    uint64_t vpid;
    uint64_t linear;
};

HV_ALWAYS_INLINE bool invvpid(uint64_t type, Invvpid_descriptor const &d)
{
    bool fail;
    asm volatile("invvpid %1, %2"
                 : "=@cc"
                   "be"(fail)
                 : "m"(d), "r"(type)
                 : "memory", "cc");
    return !fail;
}

} // namespace hv::arch::vmx
