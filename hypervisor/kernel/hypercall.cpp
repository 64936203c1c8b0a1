// SPDX-License-Identifier: MIT
// Hypercall decode and dispatch. Unknown numbers return -ENOSYS; nothing a guest passes can
// stop the hypervisor.
#include "kernel/hypercall.hpp"

#include "kernel/hypercall_handlers.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{

static_assert(static_cast<uint32_t>(xen::Hypercall::CONSOLE_IO) == WARD_HC_CONSOLE_IO);
static_assert(static_cast<uint32_t>(xen::Hypercall::SCHED_OP) == WARD_HC_SCHED_OP);
static_assert(static_cast<uint32_t>(xen::Hypercall::XEN_VERSION) == WARD_HC_XEN_VERSION);
static_assert(static_cast<uint32_t>(xen::Hypercall::MEMORY_OP) == WARD_HC_MEMORY_OP);
static_assert(static_cast<uint32_t>(xen::Hypercall::DOMCTL) == WARD_HC_DOMCTL);
static_assert(static_cast<int>(xen::Errno::XEN_ENOSYS) == WARD_ENOSYS);
static_assert(xen::DOMCTL_INTERFACE_VERSION == WARD_DOMCTL_INTERFACE_VERSION);

xen::Hypercall_args decode_hypercall(arch::Vcpu const &v)
{
    using arch::Reg;
    xen::Guest_regs const r{v.reg(Reg::RAX), v.reg(Reg::RBX), v.reg(Reg::RCX), v.reg(Reg::RDX),
                            v.reg(Reg::RSI), v.reg(Reg::RDI), v.reg(Reg::R8),  v.reg(Reg::R10)};
    return xen::decode_hypercall(r, v.mode() == arch::Guest_mode::LONG64);
}

After handle_hypercall(Domain &self, arch::Vcpu &v)
{
    xen::Hypercall_args const a = decode_hypercall(v);
    Hypercall_result r = Hypercall_result::error(xen::Errno::XEN_ENOSYS);
    ++self.stats.hypercalls;
    v.skip_instruction();
    if (v.cpl() != 0) {
        r = Hypercall_result::error(xen::Errno::XEN_EPERM); // as Xen: not from guest user mode
    } else {
        switch (static_cast<xen::Hypercall>(a.nr)) {
        case xen::Hypercall::CONSOLE_IO: r = hc_console_io(self, v, a); break;
        case xen::Hypercall::SCHED_OP: r = hc_sched_op(self, v, a); break;
        case xen::Hypercall::XEN_VERSION: r = hc_xen_version(self, v, a); break;
        case xen::Hypercall::MEMORY_OP: r = hc_memory_op(self, v, a); break;
        case xen::Hypercall::DOMCTL: r = hc_domctl(self, v, a); break;
        case xen::Hypercall::EVENT_CHANNEL_OP: r = hc_event_channel_op(self, v, a); break;
        case xen::Hypercall::GRANT_TABLE_OP: r = hc_grant_table_op(self, v, a); break;
        case xen::Hypercall::HVM_OP: r = hc_hvm_op(self, v, a); break;
        case xen::Hypercall::VCPU_OP: r = hc_vcpu_op(self, v, a); break;
        case xen::Hypercall::XSM_OP: r = hc_acm_op(self, v, a); break;
        default: break;
        }
    }
    if (self.alive()) // a shutdown or self-destroy released the vCPU
        v.reg(arch::Reg::RAX, static_cast<uint64_t>(r.value));
    return r.after;
}

} // namespace hv::kernel
