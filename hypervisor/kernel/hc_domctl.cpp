// SPDX-License-Identifier: MIT
// Ward's domain control hypercall (number 36, register ABI, docs/hypercalls.md): every command
// is checked against the caller's capabilities; there is no all-powerful domain.
#include "hv/format.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{
namespace
{

uint8_t abi_state(Domain_state s)
{
    switch (s) {
    case Domain_state::RUNNABLE: return WARD_DOMSTATE_RUNNABLE;
    case Domain_state::BLOCKED: return WARD_DOMSTATE_BLOCKED;
    case Domain_state::PAUSED: return WARD_DOMSTATE_PAUSED;
    default: return WARD_DOMSTATE_SHUTDOWN;
    }
}

int64_t domctl_info(Domain &self, arch::Vcpu &v, Domain const &t, uint64_t buf, uint64_t size)
{
    if (size < sizeof(ward_domain_info))
        return -WARD_EINVAL;
    ward_domain_info info{};
    info.domid = t.id;
    info.state = abi_state(t.state);
    info.shutdown_reason = static_cast<uint8_t>(t.shutdown_reason);
    info.caps = t.caps.bits();
    info.mem_bytes = t.mem_bytes;
    for (size_t i = 0; i < t.name.length && i < sizeof info.name - 1; ++i)
        info.name[i] = t.name.chars[i];
    return write_guest(self, v, buf, &info, sizeof info) ? 0 : -WARD_EFAULT;
}

// Copies the newest `size` bytes (at most the ring) of t's console, oldest first.
int64_t domctl_console_read(Domain &self, arch::Vcpu &v, Domain const &t, uint64_t buf,
                            uint64_t size)
{
    uint64_t const held =
        t.console_written < CONSOLE_RING_BYTES ? t.console_written : CONSOLE_RING_BYTES;
    uint64_t const n = size < held ? size : held;
    uint64_t const first = t.console_written - n;
    for (uint64_t i = 0; i < n; ++i) {
        char const c = t.console_ring[(first + i) % CONSOLE_RING_BYTES];
        if (!write_guest(self, v, buf + i, &c, 1))
            return -WARD_EFAULT;
    }
    return static_cast<int64_t>(n);
}

} // namespace

Hypercall_result hc_domctl(Domain &self, arch::Vcpu &v, Hypercall_args const &a)
{
    uint64_t const cmd = a.arg[0];
    uint64_t const domid = a.arg[1], buf = a.arg[2], size = a.arg[3];
    Cap need{};
    switch (cmd) {
    case WARD_DOMCTL_CREATE: need = Cap::DOMAIN_CREATE; break;
    case WARD_DOMCTL_DESTROY:
    case WARD_DOMCTL_PAUSE:
    case WARD_DOMCTL_UNPAUSE: need = Cap::DOMAIN_CONTROL; break;
    case WARD_DOMCTL_INFO: need = Cap::DOMAIN_INFO; break;
    case WARD_DOMCTL_CONSOLE_READ: need = Cap::CONSOLE_READ_OTHERS; break;
    default: return {-WARD_ENOSYS, After::RESUME};
    }
    bool const on_self = domid == self.id;
    // Reading one's own info or console needs no capability; everything else does.
    bool const self_ok = on_self && (cmd == WARD_DOMCTL_INFO || cmd == WARD_DOMCTL_CONSOLE_READ);
    if (!self_ok && !self.caps.has(need)) {
        log("ward: domain %u '%s' denied domctl %llu on domain %llu: lacks capability '%s'\n",
            self.id, self.name.c_str(), static_cast<unsigned long long>(cmd),
            static_cast<unsigned long long>(domid), cap_name(need));
        return {-WARD_EPERM, After::RESUME};
    }
    if (cmd == WARD_DOMCTL_CREATE)
        return {-WARD_EOPNOTSUPP, After::RESUME}; // boot-time domains only, for now
    Domain *const t = domid <= 0xffff ? find_domain(static_cast<uint16_t>(domid)) : nullptr;
    if (t == nullptr)
        return {-WARD_ESRCH, After::RESUME};
    switch (cmd) {
    case WARD_DOMCTL_INFO: return {domctl_info(self, v, *t, buf, size), After::RESUME};
    case WARD_DOMCTL_CONSOLE_READ:
        return {domctl_console_read(self, v, *t, buf, size), After::RESUME};
    default: break;
    }
    if (on_self || !t->alive())
        return {-WARD_EINVAL, After::RESUME};
    switch (cmd) {
    case WARD_DOMCTL_DESTROY: {
        char note[64];
        format(note, sizeof note, "destroyed by domain %u '%s'", self.id, self.name.c_str());
        log("ward: domain %u '%s' %s\n", t->id, t->name.c_str(), note);
        end_domain(*t, true, 0, note);
        return {0, After::RESUME};
    }
    case WARD_DOMCTL_PAUSE:
        if (t->state == Domain_state::PAUSED)
            return {-WARD_EINVAL, After::RESUME};
        t->state = Domain_state::PAUSED;
        log("ward: domain %u '%s' paused by domain %u\n", t->id, t->name.c_str(), self.id);
        return {0, After::RESUME};
    case WARD_DOMCTL_UNPAUSE:
        if (t->state != Domain_state::PAUSED)
            return {-WARD_EINVAL, After::RESUME};
        t->state = Domain_state::RUNNABLE;
        log("ward: domain %u '%s' unpaused by domain %u\n", t->id, t->name.c_str(), self.id);
        return {0, After::RESUME};
    default: return {-WARD_ENOSYS, After::RESUME};
    }
}

} // namespace hv::kernel
