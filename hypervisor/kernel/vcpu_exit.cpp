// SPDX-License-Identifier: MIT
// Exit handling (see vcpu_exit.hpp). Guest-controlled values are validated; anything the guest
// does that Ward cannot handle ends only that domain, with a log line saying why.
#include "kernel/vcpu_exit.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "hv/format.hpp"
#include "kernel/channels.hpp"
#include "kernel/console_ring.hpp"
#include "kernel/guest_apic.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/kernel.hpp"
#include "kernel/port_io.hpp"
#include "kernel/scheduler.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{
namespace
{

using arch::Reg;

void kill(Domain &d, arch::Vcpu const &v, char const *what)
{
    char note[96];
    format(note, sizeof note, "%s at RIP 0x%llx", what,
           static_cast<unsigned long long>(v.reg(Reg::RIP)));
    log("ward: domain %u '%s' destroyed: %s\n", d.id, d.name.c_str(), note);
    end_domain(d, true, WARD_SHUTDOWN_CRASH, note);
}

// MSRs that hold a linear address: a non-canonical value is a #GP on real hardware (and would
// make VM entry fail here).
bool holds_address(uint32_t index)
{
    switch (index) {
    case x86::msr::FS_BASE:
    case x86::msr::GS_BASE:
    case x86::msr::KERNEL_GS_BASE:
    case x86::msr::LSTAR:
    case x86::msr::CSTAR:
    case x86::msr::SYSENTER_ESP:
    case x86::msr::SYSENTER_EIP: return true;
    default: return false;
    }
}

bool canonical(uint64_t a)
{
    uint64_t const top = a >> 47;
    return top == 0 || top == (1ull << 17) - 1;
}

void set_edx_eax(arch::Vcpu &v, uint64_t value)
{
    v.reg(Reg::RAX, value & 0xffffffffu);
    v.reg(Reg::RDX, value >> 32);
}

void handle_cpuid(Domain const &d, arch::Vcpu &v)
{
    uint32_t const leaf = static_cast<uint32_t>(v.reg(Reg::RAX));
    uint32_t const sub = static_cast<uint32_t>(v.reg(Reg::RCX));
    x86::Cpuid r{};
    if (leaf >= 0x40000000u && leaf < 0x50000000u) {
        switch (leaf) {
        case WARD_CPUID_BASE:
            r = {WARD_CPUID_MAX_LEAF, 0x566e6558, 0x65584d4d, 0x4d4d566e}; // "XenVMMXenVMM"
            break;
        case WARD_CPUID_BASE + 1: r.eax = (WARD_XEN_MAJOR << 16) | WARD_XEN_MINOR; break;
        case WARD_CPUID_BASE + 2:
            r.eax = 1;
            r.ebx = WARD_HYPERCALL_PAGE_MSR;
            break;
        case WARD_CPUID_BASE + 4:
            r.eax = WARD_HVM_CPUID_VCPU_ID_PRESENT | WARD_HVM_CPUID_DOMID_PRESENT;
            r.ebx = 0; // vCPU id
            r.ecx = d.id;
            break;
        default: break; // other hypervisors' bases and unused Xen leaves: zeros
        }
    } else {
        r = x86::cpuid(leaf, sub);
        if (leaf == 1) {
            r.ecx &= ~((1u << 5) | (1u << 3)); // no VMX, MONITOR; x2APIC: guest_apic.cpp
            r.ecx |= 1u << 31;                 // running under a hypervisor
        } else if (leaf == 0x80000001) {
            r.ecx &= ~(1u << 2); // no SVM
        } else if (leaf == 0x8000000a) {
            r = {};
        }
    }
    v.reg(Reg::RAX, r.eax);
    v.reg(Reg::RBX, r.ebx);
    v.reg(Reg::RCX, r.ecx);
    v.reg(Reg::RDX, r.edx);
    v.skip_instruction();
}

void handle_msr_read(Domain &d, arch::Vcpu &v)
{
    uint32_t const index = static_cast<uint32_t>(v.reg(Reg::RCX));
    uint64_t value = 0;
    if (guest_apic_owns_msr(index)) {
        auto const r = guest_apic_read_msr(d, index);
        if (!r) {
            v.inject({arch::Event::Type::EXCEPTION, 13, true, 0}); // #GP, as the CPU would
            return;
        }
        value = *r;
    } else if (auto const own = v.guest_msr(index)) {
        value = *own;
    }
    // Every other MSR reads as 0 (Linux probes many; zeros are accepted everywhere).
    set_edx_eax(v, value);
    v.skip_instruction();
}

bool handle_msr_write(Domain &d, arch::Vcpu &v)
{
    uint32_t const index = static_cast<uint32_t>(v.reg(Reg::RCX));
    uint64_t const value = (v.reg(Reg::RDX) << 32) | (v.reg(Reg::RAX) & 0xffffffffu);
    if (index == WARD_HYPERCALL_PAGE_MSR) {
        // Xen: value = GPA of the page | page index (only index 0 exists).
        uint64_t const gpa = value & ~uint64_t{0xfff};
        if ((value & 0xfff) != 0 || gpa + 4096 > d.mem_bytes) {
            v.inject({arch::Event::Type::EXCEPTION, 13, true, 0}); // #GP, as Xen does
            return true;
        }
        alignas(8) std::byte page[4096];
        backend().write_hypercall_page(std::span<std::byte, 4096>{page});
        if (!write_guest_phys(d, gpa, page, sizeof page))
            return false;
        log("ward: domain %u '%s': hypercall page at 0x%llx\n", d.id, d.name.c_str(),
            static_cast<unsigned long long>(gpa));
    } else if (guest_apic_owns_msr(index)) {
        if (!guest_apic_write_msr(d, index, value)) {
            v.inject({arch::Event::Type::EXCEPTION, 13, true, 0}); // #GP, as the CPU would
            return true;
        }
    } else if (holds_address(index) && !canonical(value)) {
        v.inject({arch::Event::Type::EXCEPTION, 13, true, 0}); // #GP, as the CPU would
        return true;
    } else {
        v.guest_msr(index, value); // others are dropped
    }
    v.skip_instruction();
    return true;
}

} // namespace

After handle_exit(Domain &d, arch::Vcpu &v, arch::Exit const &e)
{
    switch (e.reason) {
    case arch::Exit_reason::CPUID: handle_cpuid(d, v); return After::RESUME;
    case arch::Exit_reason::MSR_READ: handle_msr_read(d, v); return After::RESUME;
    case arch::Exit_reason::MSR_WRITE:
        if (!handle_msr_write(d, v)) {
            kill(d, v, "hypercall page outside its memory");
            return After::DESCHEDULE;
        }
        return After::RESUME;
    case arch::Exit_reason::IO:
        if (!emulate_port_io(d, v, e.io)) {
            kill(d, v, "string port I/O on memory outside its own (or with DF set)");
            return After::DESCHEDULE;
        }
        return After::RESUME;
    case arch::Exit_reason::HLT:
        v.skip_instruction();
        if ((v.reg(Reg::RFLAGS) & (1u << 9)) == 0) {
            // Nothing can wake a vCPU that halts with interrupts off: it has stopped for good.
            console_flush(d);
            log("ward: domain %u '%s' halted with interrupts disabled\n", d.id, d.name.c_str());
            end_domain(d, false, WARD_SHUTDOWN_POWEROFF, "halted with interrupts disabled");
            return After::DESCHEDULE;
        }
        ++d.stats.blocks;
        sched_block(d, Domain_state::BLOCKED);
        return After::DESCHEDULE;
    case arch::Exit_reason::NESTED_PAGE_FAULT: {
        if ((e.npf.gpa & ~uint64_t{0xfff}) == XAPIC_PAGE_GPA &&
            guest_apic_mmio(d, v, e.npf.gpa, e.npf.write))
            return After::RESUME;
        if (e.npf.write && channels_revoked_write(d, e.npf.gpa))
            return After::RESUME; // retried on its own page (channels.hpp)
        // All of a domain's RAM is mapped at creation: any NPF is an access outside it.
        char what[96];
        format(what, sizeof what,
               "nested page fault: %s%s%s access to GPA 0x%llx outside its memory",
               e.npf.read ? "read" : "", e.npf.write ? "write" : "", e.npf.exec ? "execute" : "",
               static_cast<unsigned long long>(e.npf.gpa));
        kill(d, v, what);
        return After::DESCHEDULE;
    }
    case arch::Exit_reason::SHUTDOWN: kill(d, v, "triple fault"); return After::DESCHEDULE;
    case arch::Exit_reason::EXCEPTION: {
        char what[64];
        format(what, sizeof what, "unhandled exception %u (error code 0x%x)", e.exception.vector,
               e.exception.error_code);
        kill(d, v, what);
        return After::DESCHEDULE;
    }
    case arch::Exit_reason::INVALID:
        kill(d, v, "invalid guest state (VM entry failed)");
        return After::DESCHEDULE;
    case arch::Exit_reason::OTHER: {
        char what[64];
        format(what, sizeof what, "unexpected exit 0x%llx (info 0x%llx)",
               static_cast<unsigned long long>(e.raw_code),
               static_cast<unsigned long long>(e.raw_info));
        kill(d, v, what);
        return After::DESCHEDULE;
    }
    case arch::Exit_reason::HYPERCALL: {
        After const after = handle_hypercall(d, v);
        if (d.alive())
            console_ring_drain(d); // hvc0 output, announced by EVTCHNOP_send
        return after;
    }
    case arch::Exit_reason::INTERRUPT: return After::RESUME; // the scheduler looks at the tick
    }
    return After::RESUME;
}

} // namespace hv::kernel
