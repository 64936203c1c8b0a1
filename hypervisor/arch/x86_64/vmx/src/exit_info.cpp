// SPDX-License-Identifier: MIT
// Names for exit reasons and VM-instruction errors, for the serial log.
#include "hv/vmx/exit_info.hpp"

namespace hv::vmx
{

char const *exit_reason_name(Exit_reason r)
{
    switch (r) {
    case Exit_reason::EXCEPTION_OR_NMI: return "exception or NMI";
    case Exit_reason::EXTERNAL_INTERRUPT: return "external interrupt";
    case Exit_reason::TRIPLE_FAULT: return "triple fault";
    case Exit_reason::INIT_SIGNAL: return "INIT";
    case Exit_reason::SIPI: return "SIPI";
    case Exit_reason::INTERRUPT_WINDOW: return "interrupt window";
    case Exit_reason::NMI_WINDOW: return "NMI window";
    case Exit_reason::TASK_SWITCH: return "task switch";
    case Exit_reason::CPUID: return "CPUID";
    case Exit_reason::GETSEC: return "GETSEC";
    case Exit_reason::HLT: return "HLT";
    case Exit_reason::INVD: return "INVD";
    case Exit_reason::INVLPG: return "INVLPG";
    case Exit_reason::RDPMC: return "RDPMC";
    case Exit_reason::RDTSC: return "RDTSC";
    case Exit_reason::RSM: return "RSM";
    case Exit_reason::VMCALL: return "VMCALL";
    case Exit_reason::VMCLEAR: return "VMCLEAR";
    case Exit_reason::VMLAUNCH: return "VMLAUNCH";
    case Exit_reason::VMPTRLD: return "VMPTRLD";
    case Exit_reason::VMPTRST: return "VMPTRST";
    case Exit_reason::VMREAD: return "VMREAD";
    case Exit_reason::VMRESUME: return "VMRESUME";
    case Exit_reason::VMWRITE: return "VMWRITE";
    case Exit_reason::VMXOFF: return "VMXOFF";
    case Exit_reason::VMXON: return "VMXON";
    case Exit_reason::CR_ACCESS: return "control-register access";
    case Exit_reason::DR_ACCESS: return "debug-register access";
    case Exit_reason::IO_INSTRUCTION: return "I/O instruction";
    case Exit_reason::RDMSR: return "RDMSR";
    case Exit_reason::WRMSR: return "WRMSR";
    case Exit_reason::ENTRY_FAILURE_GUEST_STATE: return "entry failure: invalid guest state";
    case Exit_reason::ENTRY_FAILURE_MSR_LOADING: return "entry failure: MSR loading";
    case Exit_reason::MWAIT: return "MWAIT";
    case Exit_reason::MONITOR_TRAP_FLAG: return "monitor trap flag";
    case Exit_reason::MONITOR: return "MONITOR";
    case Exit_reason::PAUSE: return "PAUSE";
    case Exit_reason::ENTRY_FAILURE_MACHINE_CHECK: return "entry failure: machine check";
    case Exit_reason::TPR_BELOW_THRESHOLD: return "TPR below threshold";
    case Exit_reason::APIC_ACCESS: return "APIC access";
    case Exit_reason::VIRTUALIZED_EOI: return "virtualized EOI";
    case Exit_reason::GDTR_IDTR_ACCESS: return "GDTR/IDTR access";
    case Exit_reason::LDTR_TR_ACCESS: return "LDTR/TR access";
    case Exit_reason::EPT_VIOLATION: return "EPT violation";
    case Exit_reason::EPT_MISCONFIGURATION: return "EPT misconfiguration";
    case Exit_reason::INVEPT: return "INVEPT";
    case Exit_reason::RDTSCP: return "RDTSCP";
    case Exit_reason::PREEMPTION_TIMER: return "preemption timer";
    case Exit_reason::INVVPID: return "INVVPID";
    case Exit_reason::WBINVD: return "WBINVD";
    case Exit_reason::XSETBV: return "XSETBV";
    case Exit_reason::APIC_WRITE: return "APIC write";
    case Exit_reason::RDRAND: return "RDRAND";
    case Exit_reason::INVPCID: return "INVPCID";
    case Exit_reason::VMFUNC: return "VMFUNC";
    case Exit_reason::ENCLS: return "ENCLS";
    case Exit_reason::RDSEED: return "RDSEED";
    case Exit_reason::PML_FULL: return "page-modification log full";
    case Exit_reason::XSAVES: return "XSAVES";
    case Exit_reason::XRSTORS: return "XRSTORS";
    }
    return "unknown exit reason";
}

char const *instruction_error_name(uint32_t error)
{
    // Table 31-1; indices without an entry are reserved.
    static constexpr char const *names[] = {
        "no error",
        "VMCALL executed in VMX root operation",
        "VMCLEAR with invalid physical address",
        "VMCLEAR with VMXON pointer",
        "VMLAUNCH with non-clear VMCS",
        "VMRESUME with non-launched VMCS",
        "VMRESUME after VMXOFF",
        "VM entry with invalid control field(s)",
        "VM entry with invalid host-state field(s)",
        "VMPTRLD with invalid physical address",
        "VMPTRLD with VMXON pointer",
        "VMPTRLD with incorrect VMCS revision identifier",
        "VMREAD/VMWRITE from/to unsupported VMCS component",
        "VMWRITE to read-only VMCS component",
        nullptr,
        "VMXON executed in VMX root operation",
        "VM entry with invalid executive-VMCS pointer",
        "VM entry with non-launched executive VMCS",
        "VM entry with executive-VMCS pointer not VMXON pointer",
        "VMCALL with non-clear VMCS",
        "VMCALL with invalid VM-exit control fields",
        nullptr,
        "VMCALL with incorrect MSEG revision identifier",
        "VMXOFF under dual-monitor treatment",
        "VMCALL with invalid SMM-monitor features",
        "VM entry with invalid VM-execution control fields in executive VMCS",
        "VM entry with events blocked by MOV SS",
        nullptr,
        "invalid operand to INVEPT/INVVPID",
    };
    if (error < sizeof(names) / sizeof(names[0]) && names[error] != nullptr)
        return names[error];
    return "reserved VM-instruction error";
}

} // namespace hv::vmx
