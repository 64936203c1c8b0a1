// SPDX-License-Identifier: MIT
// Hypercall decode and dispatch. Handlers follow one shape: decode -> check capability ->
// validate -> act -> return a value (>= 0) or a negated Xen errno. Unknown numbers and sub-ops
// return -ENOSYS; nothing a guest passes can stop the hypervisor.
#include "kernel/hypercall.hpp"

#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{

Hypercall_args decode_hypercall(arch::Vcpu const &v)
{
    using arch::Reg;
    Hypercall_args a{};
    if (v.mode() == arch::Guest_mode::LONG64) {
        a.nr = v.reg(Reg::RAX);
        a.arg[0] = v.reg(Reg::RDI);
        a.arg[1] = v.reg(Reg::RSI);
        a.arg[2] = v.reg(Reg::RDX);
        a.arg[3] = v.reg(Reg::R10);
        a.arg[4] = v.reg(Reg::R8);
    } else {
        a.nr = v.reg(Reg::RAX) & 0xffffffffu;
        a.arg[0] = v.reg(Reg::RBX) & 0xffffffffu;
        a.arg[1] = v.reg(Reg::RCX) & 0xffffffffu;
        a.arg[2] = v.reg(Reg::RDX) & 0xffffffffu;
        a.arg[3] = v.reg(Reg::RSI) & 0xffffffffu;
        a.arg[4] = v.reg(Reg::RDI) & 0xffffffffu;
    }
    return a;
}

After handle_hypercall(Domain &self, arch::Vcpu &v)
{
    Hypercall_args const a = decode_hypercall(v);
    Hypercall_result r{-WARD_ENOSYS, After::RESUME};
    ++self.stats.hypercalls;
    v.skip_instruction();
    if (v.cpl() != 0) {
        r.value = -WARD_EPERM; // as Xen: hypercalls from guest user mode are refused
    } else {
        switch (a.nr) {
        case WARD_HC_CONSOLE_IO: r = hc_console_io(self, v, a); break;
        case WARD_HC_SCHED_OP: r = hc_sched_op(self, v, a); break;
        case WARD_HC_XEN_VERSION: r = hc_xen_version(self, v, a); break;
        case WARD_HC_MEMORY_OP: r = hc_memory_op(self, v, a); break;
        case WARD_HC_DOMCTL: r = hc_domctl(self, v, a); break;
        default: break;
        }
    }
    if (self.alive())
        v.reg(arch::Reg::RAX, static_cast<uint64_t>(r.value));
    return r.after;
}

} // namespace hv::kernel
