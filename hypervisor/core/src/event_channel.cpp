// SPDX-License-Identifier: MIT
// Event channel port table and 2-level pending/mask semantics; see event_channel.hpp.
#include "hv/event_channel.hpp"

namespace hv::evtchn
{
namespace
{

// The guest changes these words concurrently: every update is an atomic read-modify-write.
bool test_and_set(uint64_t &word, unsigned bit)
{
    uint64_t const m = uint64_t{1} << bit;
    return (std::atomic_ref<uint64_t>{word}.fetch_or(m) & m) != 0;
}

bool test_and_clear(uint64_t &word, unsigned bit)
{
    uint64_t const m = uint64_t{1} << bit;
    return (std::atomic_ref<uint64_t>{word}.fetch_and(~m) & m) != 0;
}

bool test_and_set32(uint32_t &word, unsigned bit)
{
    uint32_t const m = uint32_t{1} << bit;
    return (std::atomic_ref<uint32_t>{word}.fetch_or(m) & m) != 0;
}

bool test(uint64_t const &word, unsigned bit)
{
    // atomic_ref<T const> is C++26; the word itself is never const.
    return (std::atomic_ref<uint64_t>{const_cast<uint64_t &>(word)}.load() >> bit & 1) != 0;
}

} // namespace

Event_channels::Event_channels(Domid self, uint32_t nr_vcpus)
    : self_{self}, nr_vcpus_{nr_vcpus < MAX_VCPUS ? nr_vcpus : MAX_VCPUS},
      pending_{own_shared_.pending}, mask_{own_shared_.mask}
{
    ports_[0].state = State::RESERVED;
    for (size_t i = 0; i < MAX_VCPUS; ++i)
        vcpu_[i] = &own_vcpu_[i];
}

void Event_channels::attach(Shared_events *shared, std::span<Vcpu_events *const> vcpus,
                            unsigned guest_long_bits)
{
    bool const narrow = guest_long_bits == 32;
    uint64_t *const pending = shared->pending;
    uint64_t *const mask = narrow ? reinterpret_cast<uint64_t *>(
                                        reinterpret_cast<unsigned char *>(shared) + MASK_OFFSET_32)
                                  : shared->mask;
    for (size_t w = 0; w < MAX_PORTS / 64; ++w) {
        pending[w] |= pending_[w];
        mask[w] |= mask_[w];
    }
    pending_ = pending;
    mask_ = mask;
    for (size_t i = 0; i < vcpus.size() && i < MAX_VCPUS; ++i) {
        Vcpu_events &from = *vcpu_[i];
        Vcpu_events &to = *vcpus[i];
        to.upcall_pending |= from.upcall_pending;
        // Selector bits set before attach were kept in the 64-bit word; re-raise them in the
        // guest's own word (bit p / sel_bits_ for every pending, unmasked port).
        vcpu_[i] = &to;
    }
    sel_bits_ = narrow ? 32 : 64;
    for (Port p = 1; p < MAX_PORTS; ++p)
        if (ports_[p].state != State::FREE && ports_[p].vcpu < MAX_VCPUS &&
            ports_[p].vcpu < vcpus.size() && test(pending_[p / 64], p % 64) &&
            !test(mask_[p / 64], p % 64))
            (void)set_selector(*vcpu_[ports_[p].vcpu], p);
}

bool Event_channels::set_selector(Vcpu_events &v, Port p)
{
    if (sel_bits_ == 32)
        return test_and_set32(v.pending_sel32, p / 32);
    return test_and_set(v.pending_sel, p / 64);
}

Result<Port, Errno> Event_channels::take_port()
{
    for (Port p = 1; p < MAX_PORTS; ++p)
        if (ports_[p].state == State::FREE)
            return p;
    return unexpected(Errno::XEN_ENOSPC);
}

void Event_channels::free_port(Port p)
{
    ports_[p] = Channel{};
    test_and_clear(pending_[p / 64], p % 64);
}

Result<Port, Errno> Event_channels::alloc_unbound(Domid remote)
{
    Port const p = HV_TRY(take_port());
    ports_[p] = {State::UNBOUND, remote == DOMID_SELF ? self_ : remote, 0, 0, 0};
    return p;
}

Result<Port, Errno> Event_channels::bind_interdomain(Event_channels &remote, Port remote_port,
                                                     Notify *notify)
{
    if (!valid(remote_port))
        return unexpected(Errno::XEN_EINVAL);
    Channel &r = remote.ports_[remote_port];
    if (r.state != State::UNBOUND || r.remote_dom != self_)
        return unexpected(Errno::XEN_EINVAL);
    Port const p = HV_TRY(take_port());
    if (&remote == this && p == remote_port)
        return unexpected(Errno::XEN_EINVAL); // cannot happen: remote_port is not free
    ports_[p] = {State::INTERDOMAIN, remote.self_, remote_port, 0, 0};
    r.state = State::INTERDOMAIN;
    r.remote_port = p;
    // Notifications sent while the remote end was unbound were dropped: raise one here.
    Notify const n = raise(p);
    if (notify != nullptr)
        *notify = n;
    return p;
}

Result<Port, Errno> Event_channels::bind_virq(uint32_t virq, uint32_t vcpu)
{
    if (virq >= NR_VIRQS)
        return unexpected(Errno::XEN_EINVAL);
    if (vcpu >= nr_vcpus_)
        return unexpected(Errno::XEN_ENOENT);
    if (virq_port_[vcpu][virq] != 0)
        return unexpected(Errno::XEN_EEXIST);
    Port const p = HV_TRY(take_port());
    ports_[p] = {State::VIRQ, 0, 0, virq, vcpu};
    virq_port_[vcpu][virq] = p;
    return p;
}

Result<Port, Errno> Event_channels::bind_ipi(uint32_t vcpu)
{
    if (vcpu >= nr_vcpus_)
        return unexpected(Errno::XEN_ENOENT);
    Port const p = HV_TRY(take_port());
    ports_[p] = {State::IPI, 0, 0, 0, vcpu};
    return p;
}

void Event_channels::peer_closed(Port p, Domid closer)
{
    if (!valid(p) || ports_[p].state != State::INTERDOMAIN)
        return;
    ports_[p].state = State::UNBOUND;
    ports_[p].remote_dom = closer;
    ports_[p].remote_port = 0;
}

// Xen's evtchn_2l_set_pending: pending bit, then (unless masked) the selector bit, then the
// vCPU's upcall_pending; an upcall is due only on the 0 -> 1 edges.
Notify Event_channels::raise(Port p)
{
    uint32_t const vcpu = ports_[p].vcpu;
    Notify n{this, vcpu, false};
    if (test_and_set(pending_[p / 64], p % 64))
        return n;
    if (test(mask_[p / 64], p % 64))
        return n;
    Vcpu_events &v = *vcpu_[vcpu];
    if (set_selector(v, p))
        return n;
    n.upcall = std::atomic_ref<uint8_t>{v.upcall_pending}.exchange(1) == 0;
    return n;
}

Notify Event_channels::raise_virq(uint32_t virq, uint32_t vcpu)
{
    if (virq >= NR_VIRQS || vcpu >= nr_vcpus_ || virq_port_[vcpu][virq] == 0)
        return {nullptr, 0, false};
    return raise(virq_port_[vcpu][virq]);
}

bool Event_channels::virq_bound(uint32_t virq, uint32_t vcpu) const
{
    return virq < NR_VIRQS && vcpu < nr_vcpus_ && virq_port_[vcpu][virq] != 0;
}

Result<Notify, Errno> Event_channels::raise_local(Port p)
{
    if (!valid(p) || ports_[p].state != State::UNBOUND || ports_[p].remote_dom != self_)
        return unexpected(Errno::XEN_EINVAL);
    return raise(p);
}

Result<Status_info, Errno> Event_channels::status(Port p) const
{
    if (!valid(p))
        return unexpected(Errno::XEN_EINVAL);
    Channel const &c = ports_[p];
    Status_info s{Status::CLOSED, c.vcpu, 0, 0, 0};
    switch (c.state) {
    case State::FREE:
    case State::RESERVED: break;
    case State::UNBOUND:
        s.status = Status::UNBOUND;
        s.dom = c.remote_dom;
        break;
    case State::INTERDOMAIN:
        s.status = Status::INTERDOMAIN;
        s.dom = c.remote_dom;
        s.port = c.remote_port;
        break;
    case State::VIRQ:
        s.status = Status::VIRQ;
        s.virq = c.virq;
        break;
    case State::IPI: s.status = Status::IPI; break;
    }
    return s;
}

Result<Notify, Errno> Event_channels::unmask(Port p)
{
    if (!valid(p))
        return unexpected(Errno::XEN_EINVAL);
    uint32_t const vcpu = ports_[p].vcpu;
    Notify n{this, vcpu, false};
    if (!test_and_clear(mask_[p / 64], p % 64) || !test(pending_[p / 64], p % 64))
        return n;
    Vcpu_events &v = *vcpu_[vcpu];
    if (set_selector(v, p))
        return n;
    n.upcall = std::atomic_ref<uint8_t>{v.upcall_pending}.exchange(1) == 0;
    return n;
}

bool Event_channels::pending(Port p) const
{
    return valid(p) && test(pending_[p / 64], p % 64);
}

bool Event_channels::masked(Port p) const
{
    return valid(p) && test(mask_[p / 64], p % 64);
}

} // namespace hv::evtchn
