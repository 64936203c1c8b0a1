// SPDX-License-Identifier: MIT
// Domain control (hypercall 36): Xen's xen_domctl header with Ward's payloads
// (docs/hypercalls.md). Every command is checked against the caller's capabilities; there is no
// all-powerful domain.
#include "hv/bytes.hpp"
#include "hv/format.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hc_domctl_create.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "kernel/scheduler.hpp"
#include "kernel/store_setup.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{
namespace
{

using xen::Errno;

uint8_t abi_state(Domain_state s)
{
    switch (s) {
    case Domain_state::RUNNABLE: return WARD_DOMSTATE_RUNNABLE;
    case Domain_state::BLOCKED: return WARD_DOMSTATE_BLOCKED;
    case Domain_state::PAUSED: return WARD_DOMSTATE_PAUSED;
    default: return WARD_DOMSTATE_SHUTDOWN;
    }
}

void fill_info(ward_domain_info &info, Domain const &t)
{
    info = {};
    info.domid = t.id;
    info.state = abi_state(t.state);
    info.shutdown_reason = static_cast<uint8_t>(t.shutdown_reason);
    info.caps = t.caps.bits();
    info.mem_bytes = t.mem_bytes;
    for (size_t i = 0; i < t.name.length && i < sizeof info.name - 1; ++i)
        info.name[i] = t.name.chars[i];
}

// Copies the newest bytes (at most `size`, at most the ring) of t's console, oldest first.
Result<uint32_t, Errno> console_read(Domain &self, arch::Vcpu &v, Domain const &t,
                                     ward_domctl_console_read const &req)
{
    uint64_t const held =
        t.console_written < CONSOLE_RING_BYTES ? t.console_written : CONSOLE_RING_BYTES;
    uint64_t const n = req.size < held ? req.size : held;
    uint64_t const first = t.console_written - n;
    char buf[256];
    for (uint64_t done = 0; done < n;) {
        uint64_t const k = n - done < sizeof buf ? n - done : sizeof buf;
        for (uint64_t i = 0; i < k; ++i)
            buf[i] = t.console_ring[(first + done + i) % CONSOLE_RING_BYTES];
        if (!write_guest(self, v, req.buffer + done, buf, k))
            return unexpected(Errno::XEN_EFAULT);
        done += k;
    }
    return static_cast<uint32_t>(n);
}

void deny(Domain const &self, uint32_t cmd, uint16_t target, Cap need)
{
    log("ward: domain %u '%s' denied domctl %u on domain %u: lacks capability '%s'\n", self.id,
        self.name.c_str(), cmd, target, cap_name(need));
}

Result<int64_t, Errno> act(Domain &self, ward_domctl &dc, Domain &t)
{
    if (&t == &self || !t.alive())
        return unexpected(Errno::XEN_EINVAL);
    switch (dc.cmd) {
    case WARD_DOMCTL_DESTROY: {
        char note[64];
        format(note, sizeof note, "destroyed by domain %u '%s'", self.id, self.name.c_str());
        log("ward: domain %u '%s' %s\n", t.id, t.name.c_str(), note);
        end_domain(t, true, 0, note);
        return 0;
    }
    case WARD_DOMCTL_PAUSE:
        if (t.state == Domain_state::PAUSED)
            return unexpected(Errno::XEN_EINVAL);
        sched_block(t, Domain_state::PAUSED);
        log("ward: domain %u '%s' paused by domain %u\n", t.id, t.name.c_str(), self.id);
        return 0;
    case WARD_DOMCTL_UNPAUSE:
        if (t.state != Domain_state::PAUSED)
            return unexpected(Errno::XEN_EINVAL);
        sched_wake(t);
        log("ward: domain %u '%s' unpaused by domain %u\n", t.id, t.name.c_str(), self.id);
        return 0;
    default: return unexpected(Errno::XEN_ENOSYS);
    }
}

} // namespace

Hypercall_result hc_domctl(Domain &self, arch::Vcpu &v, Args const &a)
{
    ward_domctl dc{};
    if (!read_guest(self, v, a.arg[0], &dc, sizeof dc))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    std::span<std::byte const> const raw{reinterpret_cast<std::byte const *>(&dc), sizeof dc};
    bool const console = dc.cmd == WARD_DOMCTL_CONSOLE_READ; // Ward's own commands
    bool const store = dc.cmd == WARD_DOMCTL_STORE_INFO;
    Cap need = store ? Cap::STORE : Cap::CONSOLE_READ_OTHERS;
    if (console || store) {
        if (dc.interface_version != WARD_DOMCTL_INTERFACE_VERSION)
            return Hypercall_result::error(Errno::XEN_EACCES);
    } else {
        auto const header = xen::parse_domctl_header(raw);
        if (!header)
            return Hypercall_result::error(header.error());
        need = *xen::domctl_capability(dc.cmd); // parse_domctl_header checked it exists
    }
    // Reading one's own info or console needs no capability; everything else does.
    bool const self_read = dc.domain == self.id && (console || dc.cmd == WARD_DOMCTL_INFO);
    if (!self_read && !self.caps.has(need)) {
        deny(self, dc.cmd, dc.domain, need);
        return Hypercall_result::error(Errno::XEN_EPERM);
    }
    if (dc.cmd == WARD_DOMCTL_CREATE) {
        auto const id = domctl_create(self, v, dc.u.create);
        if (!id)
            return Hypercall_result::error(id.error());
        dc.u.create.domid = *id;
        if (!write_guest(self, v, a.arg[0], &dc, sizeof dc))
            return Hypercall_result::error(Errno::XEN_EFAULT); // the domain exists regardless
        return {0};
    }
    if (store) {
        auto const info = store_info(self, dc.domain);
        if (!info)
            return Hypercall_result::error(info.error());
        dc.u.store = *info;
        if (!write_guest(self, v, a.arg[0], &dc, sizeof dc))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        return {0};
    }
    Domain *const t = find_domain(dc.domain);
    if (t == nullptr)
        return Hypercall_result::error(Errno::XEN_ESRCH);
    if (dc.cmd == WARD_DOMCTL_INFO || console) {
        if (console) {
            auto const n = console_read(self, v, *t, dc.u.console);
            if (!n)
                return Hypercall_result::error(n.error());
            dc.u.console.returned = *n;
        } else {
            fill_info(dc.u.info, *t);
        }
        if (!write_guest(self, v, a.arg[0], &dc, sizeof dc))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        return {0};
    }
    auto const r = act(self, dc, *t);
    return r ? Hypercall_result{*r} : Hypercall_result::error(r.error());
}

} // namespace hv::kernel
