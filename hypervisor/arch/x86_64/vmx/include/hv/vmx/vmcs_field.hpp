// SPDX-License-Identifier: MIT
// VMCS field encodings (Intel SDM Vol. 3D, appendix B) and the width/type decoding of an
// encoding (Vol. 3C, 25.11.2).
#pragma once

#include <cstdint>

namespace hv::vmx
{

enum class Field : uint32_t
{
    // 16-bit control, guest and host fields.
    VPID = 0x0000,
    GUEST_ES_SELECTOR = 0x0800,
    GUEST_CS_SELECTOR = 0x0802,
    GUEST_SS_SELECTOR = 0x0804,
    GUEST_DS_SELECTOR = 0x0806,
    GUEST_FS_SELECTOR = 0x0808,
    GUEST_GS_SELECTOR = 0x080a,
    GUEST_LDTR_SELECTOR = 0x080c,
    GUEST_TR_SELECTOR = 0x080e,
    HOST_ES_SELECTOR = 0x0c00,
    HOST_CS_SELECTOR = 0x0c02,
    HOST_SS_SELECTOR = 0x0c04,
    HOST_DS_SELECTOR = 0x0c06,
    HOST_FS_SELECTOR = 0x0c08,
    HOST_GS_SELECTOR = 0x0c0a,
    HOST_TR_SELECTOR = 0x0c0c,

    // 64-bit control fields.
    IO_BITMAP_A = 0x2000,
    IO_BITMAP_B = 0x2002,
    MSR_BITMAP = 0x2004,
    VM_EXIT_MSR_STORE_ADDR = 0x2006,
    VM_EXIT_MSR_LOAD_ADDR = 0x2008,
    VM_ENTRY_MSR_LOAD_ADDR = 0x200a,
    TSC_OFFSET = 0x2010,
    EPT_POINTER = 0x201a,
    // 64-bit read-only data.
    GUEST_PHYSICAL_ADDRESS = 0x2400,
    // 64-bit guest state.
    VMCS_LINK_POINTER = 0x2800,
    GUEST_IA32_DEBUGCTL = 0x2802,
    GUEST_IA32_PAT = 0x2804,
    GUEST_IA32_EFER = 0x2806,
    GUEST_PDPTE0 = 0x280a,
    GUEST_PDPTE1 = 0x280c,
    GUEST_PDPTE2 = 0x280e,
    GUEST_PDPTE3 = 0x2810,
    // 64-bit host state.
    HOST_IA32_PAT = 0x2c00,
    HOST_IA32_EFER = 0x2c02,

    // 32-bit control fields.
    PIN_BASED_CONTROLS = 0x4000,
    PROC_BASED_CONTROLS = 0x4002,
    EXCEPTION_BITMAP = 0x4004,
    PAGE_FAULT_ERROR_MASK = 0x4006,
    PAGE_FAULT_ERROR_MATCH = 0x4008,
    CR3_TARGET_COUNT = 0x400a,
    VM_EXIT_CONTROLS = 0x400c,
    VM_EXIT_MSR_STORE_COUNT = 0x400e,
    VM_EXIT_MSR_LOAD_COUNT = 0x4010,
    VM_ENTRY_CONTROLS = 0x4012,
    VM_ENTRY_MSR_LOAD_COUNT = 0x4014,
    VM_ENTRY_INTERRUPTION_INFO = 0x4016,
    VM_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
    VM_ENTRY_INSTRUCTION_LENGTH = 0x401a,
    TPR_THRESHOLD = 0x401c,
    SECONDARY_PROC_BASED_CONTROLS = 0x401e,
    // 32-bit read-only data.
    VM_INSTRUCTION_ERROR = 0x4400,
    EXIT_REASON = 0x4402,
    VM_EXIT_INTERRUPTION_INFO = 0x4404,
    VM_EXIT_INTERRUPTION_ERROR_CODE = 0x4406,
    IDT_VECTORING_INFO = 0x4408,
    IDT_VECTORING_ERROR_CODE = 0x440a,
    VM_EXIT_INSTRUCTION_LENGTH = 0x440c,
    VM_EXIT_INSTRUCTION_INFO = 0x440e,
    // 32-bit guest state.
    GUEST_ES_LIMIT = 0x4800,
    GUEST_CS_LIMIT = 0x4802,
    GUEST_SS_LIMIT = 0x4804,
    GUEST_DS_LIMIT = 0x4806,
    GUEST_FS_LIMIT = 0x4808,
    GUEST_GS_LIMIT = 0x480a,
    GUEST_LDTR_LIMIT = 0x480c,
    GUEST_TR_LIMIT = 0x480e,
    GUEST_GDTR_LIMIT = 0x4810,
    GUEST_IDTR_LIMIT = 0x4812,
    GUEST_ES_ACCESS_RIGHTS = 0x4814,
    GUEST_CS_ACCESS_RIGHTS = 0x4816,
    GUEST_SS_ACCESS_RIGHTS = 0x4818,
    GUEST_DS_ACCESS_RIGHTS = 0x481a,
    GUEST_FS_ACCESS_RIGHTS = 0x481c,
    GUEST_GS_ACCESS_RIGHTS = 0x481e,
    GUEST_LDTR_ACCESS_RIGHTS = 0x4820,
    GUEST_TR_ACCESS_RIGHTS = 0x4822,
    GUEST_INTERRUPTIBILITY_STATE = 0x4824,
    GUEST_ACTIVITY_STATE = 0x4826,
    GUEST_SMBASE = 0x4828,
    GUEST_SYSENTER_CS = 0x482a,
    VMX_PREEMPTION_TIMER_VALUE = 0x482e,
    // 32-bit host state.
    HOST_SYSENTER_CS = 0x4c00,

    // Natural-width control fields.
    CR0_GUEST_HOST_MASK = 0x6000,
    CR4_GUEST_HOST_MASK = 0x6002,
    CR0_READ_SHADOW = 0x6004,
    CR4_READ_SHADOW = 0x6006,
    // Natural-width read-only data.
    EXIT_QUALIFICATION = 0x6400,
    GUEST_LINEAR_ADDRESS = 0x640a,
    // Natural-width guest state.
    GUEST_CR0 = 0x6800,
    GUEST_CR3 = 0x6802,
    GUEST_CR4 = 0x6804,
    GUEST_ES_BASE = 0x6806,
    GUEST_CS_BASE = 0x6808,
    GUEST_SS_BASE = 0x680a,
    GUEST_DS_BASE = 0x680c,
    GUEST_FS_BASE = 0x680e,
    GUEST_GS_BASE = 0x6810,
    GUEST_LDTR_BASE = 0x6812,
    GUEST_TR_BASE = 0x6814,
    GUEST_GDTR_BASE = 0x6816,
    GUEST_IDTR_BASE = 0x6818,
    GUEST_DR7 = 0x681a,
    GUEST_RSP = 0x681c,
    GUEST_RIP = 0x681e,
    GUEST_RFLAGS = 0x6820,
    GUEST_PENDING_DEBUG_EXCEPTIONS = 0x6822,
    GUEST_SYSENTER_ESP = 0x6824,
    GUEST_SYSENTER_EIP = 0x6826,
    // Natural-width host state.
    HOST_CR0 = 0x6c00,
    HOST_CR3 = 0x6c02,
    HOST_CR4 = 0x6c04,
    HOST_FS_BASE = 0x6c06,
    HOST_GS_BASE = 0x6c08,
    HOST_TR_BASE = 0x6c0a,
    HOST_GDTR_BASE = 0x6c0c,
    HOST_IDTR_BASE = 0x6c0e,
    HOST_SYSENTER_ESP = 0x6c10,
    HOST_SYSENTER_EIP = 0x6c12,
    HOST_RSP = 0x6c14,
    HOST_RIP = 0x6c16,
};

enum class Field_width : uint8_t
{
    BITS_16 = 0,
    BITS_64 = 1,
    BITS_32 = 2,
    NATURAL = 3,
};

enum class Field_type : uint8_t
{
    CONTROL = 0,
    EXIT_INFORMATION = 1, // read-only
    GUEST_STATE = 2,
    HOST_STATE = 3,
};

constexpr Field_width field_width(Field f)
{
    return static_cast<Field_width>((static_cast<uint32_t>(f) >> 13) & 3);
}

constexpr Field_type field_type(Field f)
{
    return static_cast<Field_type>((static_cast<uint32_t>(f) >> 10) & 3);
}

// Bit 0 selects the upper half of a 64-bit field; bit 12 and bits 31:15 are reserved.
constexpr bool field_encoding_valid(uint32_t encoding)
{
    if (encoding & (0xffff8000u | (1u << 12)))
        return false;
    bool const high_half = encoding & 1;
    return !high_half || ((encoding >> 13) & 3) == 1;
}

constexpr uint64_t VMCS_LINK_POINTER_NONE = ~0ull;

} // namespace hv::vmx
