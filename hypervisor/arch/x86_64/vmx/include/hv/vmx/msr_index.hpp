// SPDX-License-Identifier: MIT
// MSR numbers the VMX backend reads (Intel SDM Vol. 3D, appendix A; Vol. 4).
#pragma once

#include <cstdint>

namespace hv::vmx::msr
{

inline constexpr uint32_t FEATURE_CONTROL = 0x03a;
inline constexpr uint32_t VMX_BASIC = 0x480;
inline constexpr uint32_t VMX_PINBASED_CTLS = 0x481;
inline constexpr uint32_t VMX_PROCBASED_CTLS = 0x482;
inline constexpr uint32_t VMX_EXIT_CTLS = 0x483;
inline constexpr uint32_t VMX_ENTRY_CTLS = 0x484;
inline constexpr uint32_t VMX_MISC = 0x485;
inline constexpr uint32_t VMX_CR0_FIXED0 = 0x486;
inline constexpr uint32_t VMX_CR0_FIXED1 = 0x487;
inline constexpr uint32_t VMX_CR4_FIXED0 = 0x488;
inline constexpr uint32_t VMX_CR4_FIXED1 = 0x489;
inline constexpr uint32_t VMX_VMCS_ENUM = 0x48a;
inline constexpr uint32_t VMX_PROCBASED_CTLS2 = 0x48b;
inline constexpr uint32_t VMX_EPT_VPID_CAP = 0x48c;
inline constexpr uint32_t VMX_TRUE_PINBASED_CTLS = 0x48d;
inline constexpr uint32_t VMX_TRUE_PROCBASED_CTLS = 0x48e;
inline constexpr uint32_t VMX_TRUE_EXIT_CTLS = 0x48f;
inline constexpr uint32_t VMX_TRUE_ENTRY_CTLS = 0x490;

inline constexpr uint32_t SYSENTER_CS = 0x174;
inline constexpr uint32_t SYSENTER_ESP = 0x175;
inline constexpr uint32_t SYSENTER_EIP = 0x176;
inline constexpr uint32_t DEBUGCTL = 0x1d9;
inline constexpr uint32_t PAT = 0x277;
inline constexpr uint32_t EFER = 0xc0000080;
inline constexpr uint32_t FS_BASE = 0xc0000100;
inline constexpr uint32_t GS_BASE = 0xc0000101;

} // namespace hv::vmx::msr
