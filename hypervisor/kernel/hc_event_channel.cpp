// SPDX-License-Identifier: MIT
// event_channel_op (32): EVTCHNOP_alloc_unbound, bind_interdomain, bind_virq, bind_ipi, send,
// close, status, unmask on hv core's port table (docs/channels.md). Every interdomain bind asks
// the ACM first; a denial is -EACCES, as Xen's XSM answers a refused evtchn permission.
#include "hv/channel_ops.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/channels.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/guest_timer.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "kernel/store_setup.hpp"

namespace hv::kernel
{
namespace
{

using chanop::Evtchn_cmd;
using xen::Errno;

uint16_t resolve_self(Domain const &self, uint16_t dom)
{
    return dom == evtchn::DOMID_SELF ? self.id : dom;
}

Result<evtchn::Port, Errno> bind_interdomain(Domain &self, chanop::Evtchn_args const &a)
{
    uint16_t const rid = resolve_self(self, a.remote_dom);
    Domain *remote = find_domain(rid);
    if (remote == nullptr || !remote->alive() || !channels(*remote).active)
        return unexpected(Errno::XEN_ESRCH);
    if (remote != &self && !store_may_bind(self, *remote, a.port) &&
        !acm_share(self, *remote, "event channel bind"))
        return unexpected(Errno::XEN_EACCES);
    evtchn::Notify n{};
    auto const port =
        channels(self).evtchn->bind_interdomain(*channels(*remote).evtchn, a.port, &n);
    if (port)
        deliver(n);
    return port;
}

} // namespace

Hypercall_result hc_event_channel_op(Domain &self, arch::Vcpu &v, Args const &a)
{
    uint32_t const raw_cmd = static_cast<uint32_t>(a.arg[0]);
    auto const size = chanop::evtchn_arg_size(raw_cmd);
    if (!size)
        return Hypercall_result::error(size.error());
    auto const cmd = static_cast<Evtchn_cmd>(raw_cmd);
    std::byte buf[24] = {};
    if (*size > sizeof buf || !read_guest(self, v, a.arg[1], buf, *size))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    auto const args = chanop::decode_evtchn(cmd, {buf, *size});
    if (!args)
        return Hypercall_result::error(args.error());
    Domain_channels &c = channels(self);
    if (!c.active)
        return Hypercall_result::error(Errno::XEN_ESRCH);
    evtchn::Event_channels &ec = *c.evtchn;

    Result<evtchn::Port, Errno> port = unexpected(Errno::XEN_ENOSYS);
    switch (cmd) {
    case Evtchn_cmd::ALLOC_UNBOUND:
        // Only for itself: allocating in another domain needs privilege Ward does not grant.
        if (resolve_self(self, args->dom) != self.id)
            return Hypercall_result::error(Errno::XEN_EPERM);
        port = ec.alloc_unbound(resolve_self(self, args->remote_dom));
        break;
    case Evtchn_cmd::BIND_INTERDOMAIN: port = bind_interdomain(self, *args); break;
    case Evtchn_cmd::BIND_VIRQ:
        port = ec.bind_virq(args->virq, args->vcpu);
        if (port && args->virq == evtchn::VIRQ_TIMER)
            guest_timers_touch(); // its timers may now need the APIC (guest_timer.hpp)
        break;
    case Evtchn_cmd::BIND_IPI: port = ec.bind_ipi(args->vcpu); break;
    case Evtchn_cmd::SEND: {
        auto const n = ec.send(args->port, evtchn_of);
        if (!n)
            return Hypercall_result::error(n.error());
        ++c.sends;
        deliver(*n);
        return {0};
    }
    case Evtchn_cmd::UNMASK: {
        auto const n = ec.unmask(args->port);
        if (!n)
            return Hypercall_result::error(n.error());
        deliver(*n);
        return {0};
    }
    case Evtchn_cmd::CLOSE: {
        auto const r = ec.close(args->port, evtchn_of);
        return r ? Hypercall_result{0} : Hypercall_result::error(r.error());
    }
    case Evtchn_cmd::STATUS: {
        if (resolve_self(self, args->dom) != self.id)
            return Hypercall_result::error(Errno::XEN_EPERM);
        auto const s = ec.status(args->port);
        if (!s)
            return Hypercall_result::error(s.error());
        if (!chanop::encode_evtchn_status({buf, *size}, *s) ||
            !write_guest(self, v, a.arg[1], buf, *size))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        return {0};
    }
    default: return Hypercall_result::error(Errno::XEN_ENOSYS);
    }
    if (!port)
        return Hypercall_result::error(port.error());
    if (!chanop::encode_evtchn_port(cmd, {buf, *size}, *port) ||
        !write_guest(self, v, a.arg[1], buf, *size)) {
        (void)ec.close(*port, evtchn_of); // the guest cannot learn the port: do not leak it
        return Hypercall_result::error(Errno::XEN_EFAULT);
    }
    return {0};
}

} // namespace hv::kernel
