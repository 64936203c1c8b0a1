// SPDX-License-Identifier: MIT
// IA32_FEATURE_CONTROL (MSR 0x3a, SDM Vol. 3C 24.7): whether VMXON is allowed, and what to do
// when firmware left the MSR unlocked.
#pragma once

#include <cstdint>

namespace hv::vmx
{

inline constexpr uint64_t FEATURE_CONTROL_LOCK = 1ull << 0;
inline constexpr uint64_t FEATURE_CONTROL_VMX_IN_SMX = 1ull << 1;
inline constexpr uint64_t FEATURE_CONTROL_VMX_OUTSIDE_SMX = 1ull << 2;

struct Feature_control_decision
{
    enum class Action : uint8_t
    {
        READY,      // locked with VMXON outside SMX allowed: nothing to do
        WRITE,      // unlocked: write `value` (enable VMX outside SMX and lock) first
        LOCKED_OFF, // locked with VMX outside SMX disabled: VMXON would #GP
    };
    Action action;
    uint64_t value;
};

constexpr Feature_control_decision decide_feature_control(uint64_t current)
{
    using A = Feature_control_decision::Action;
    if (current & FEATURE_CONTROL_LOCK) {
        if (current & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
            return {A::READY, current};
        return {A::LOCKED_OFF, current};
    }
    return {A::WRITE, current | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX};
}

} // namespace hv::vmx
