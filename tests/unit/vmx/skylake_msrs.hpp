// SPDX-License-Identifier: MIT
// Capability MSR values recorded from Bochs 2.7 (corei7_skylake_x, tigerlake, haswell), used as
// a fake MSR file for the VMX capability tests.
#pragma once

#include <cstdint>
#include <map>

#include "hv/vmx/msr_index.hpp"

namespace hv::vmx::test
{

struct Fake_msrs
{
    std::map<uint32_t, uint64_t> values;
    mutable std::map<uint32_t, int> reads;

    uint64_t operator()(uint32_t index) const
    {
        ++reads[index];
        auto const it = values.find(index);
        return it == values.end() ? 0 : it->second;
    }
};

inline Fake_msrs skylake_x()
{
    Fake_msrs m;
    m.values = {{{msr::FEATURE_CONTROL, 0x5},
                 {msr::VMX_BASIC, 0xd810000000002b},
                 {msr::VMX_PINBASED_CTLS, 0x7f00000016},
                 {msr::VMX_TRUE_PINBASED_CTLS, 0x7f00000016},
                 {msr::VMX_PROCBASED_CTLS, 0xf7f9fffe0401e172},
                 {msr::VMX_TRUE_PROCBASED_CTLS, 0xf7f9fffe04006172},
                 {msr::VMX_EXIT_CTLS, 0x7fffff00036dff},
                 {msr::VMX_TRUE_EXIT_CTLS, 0x7fffff00036dfb},
                 {msr::VMX_ENTRY_CTLS, 0xffff000011ff},
                 {msr::VMX_TRUE_ENTRY_CTLS, 0xffff000011fb},
                 {msr::VMX_PROCBASED_CTLS2, 0x2177fff00000000},
                 {msr::VMX_EPT_VPID_CAP, 0xf0106334141},
                 {msr::VMX_MISC, 0x600401e0},
                 {msr::VMX_CR0_FIXED0, 0x80000021},
                 {msr::VMX_CR0_FIXED1, 0xffffffff},
                 {msr::VMX_CR4_FIXED0, 0x2000},
                 {msr::VMX_CR4_FIXED1, 0x3727ff},
                 {msr::VMX_VMCS_ENUM, 0x34}}};
    return m;
}

inline Fake_msrs tigerlake()
{
    Fake_msrs m = skylake_x();
    m.values[msr::VMX_PROCBASED_CTLS2] = 0x02977fff00000000;
    m.values[msr::VMX_EPT_VPID_CAP] = 0xf0106b34141;
    return m;
}

inline Fake_msrs haswell()
{
    Fake_msrs m = skylake_x();
    m.values[msr::VMX_PROCBASED_CTLS2] = 0x00047fff00000000;
    return m;
}

} // namespace hv::vmx::test
