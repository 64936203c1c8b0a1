// SPDX-License-Identifier: MIT
// Xen event channels, 2-level ABI: a domain's port table and the pending/mask bit semantics of
// shared_info and vcpu_info, as pure logic. The hypercall wiring (EVTCHNOP_* decoding, the ACM
// check before every interdomain bind, injecting the upcall vector) is in the kernel; this file
// decides what each operation does and which Xen errno it returns.
//
// Semantics follow Xen (xen/common/event_channel.c, event_2l.c): port 0 is reserved; new ports
// are the lowest free ones; binding to an unbound port needs that port to name the binder as its
// remote; a fresh interdomain binding is marked pending on the binder's side (notifications sent
// while unbound are not lost); closing one end of an interdomain channel turns the other end
// back into an unbound port for the same peer (the peer sees the disconnect); sending on an
// unbound port is silently dropped.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"
#include "hv/xen_abi.hpp"

namespace hv::evtchn
{

using Port = uint32_t;
using Domid = uint16_t;
using xen::Errno;

inline constexpr Domid DOMID_SELF = 0x7ff0;
inline constexpr size_t MAX_PORTS = 1024; // 2-level allows 4096 for 64-bit guests; Ward caps it
inline constexpr uint32_t NR_VIRQS = 24;
inline constexpr uint32_t VIRQ_TIMER = 0;
inline constexpr uint32_t MAX_VCPUS = 8;

// The event words of shared_info, starting at byte 2048, in the 64-bit guest layout: 4096
// pending bits, then 4096 mask bits at byte 2560. A 32-bit guest has 1024 of each, so its mask
// starts at byte 2176; Event_channels::attach picks the offset by guest width. Ward uses the first
// MAX_PORTS bits of each.
struct Shared_events
{
    uint64_t pending[64];
    uint64_t mask[64];
};
static_assert(sizeof(Shared_events) == 1024);
static_assert(offsetof(Shared_events, mask) == 512); // shared_info byte 2560
inline constexpr size_t MASK_OFFSET_32 = 128; // bytes from `pending` to a 32-bit guest's mask

// The first fields of a vcpu_info: evtchn_upcall_pending, evtchn_upcall_mask, and
// evtchn_pending_sel, a 32-bit word at offset 4 for 32-bit guests and a 64-bit word at offset
// 8 for 64-bit guests.
struct Vcpu_events
{
    uint8_t upcall_pending;
    uint8_t upcall_mask;
    uint8_t pad[2];
    uint32_t pending_sel32;
    uint64_t pending_sel;
};
static_assert(sizeof(Vcpu_events) == 16);
static_assert(offsetof(Vcpu_events, pending_sel32) == 4 && offsetof(Vcpu_events, pending_sel) == 8);

enum class State : uint8_t
{
    FREE,
    RESERVED,
    UNBOUND,
    INTERDOMAIN,
    VIRQ,
    IPI,
};

// EVTCHNSTAT_* (public/event_channel.h)
enum class Status : uint32_t
{
    CLOSED = 0,
    UNBOUND = 1,
    INTERDOMAIN = 2,
    PIRQ = 3,
    VIRQ = 4,
    IPI = 5,
};

struct Status_info
{
    Status status;
    uint32_t vcpu;
    Domid dom; // UNBOUND: the allowed peer; INTERDOMAIN: the peer
    Port port; // INTERDOMAIN: the peer's port
    uint32_t virq;
};

class Event_channels;

// Who must be told: deliver the upcall to `vcpu` of `target`'s domain when `upcall` is set.
struct Notify
{
    Event_channels *target;
    uint32_t vcpu;
    bool upcall;
};

class Event_channels
{
  public:
    // `self` is the domain id; nr_vcpus <= MAX_VCPUS. Bits live in private storage until
    // attach() points them at the domain's shared_info and vcpu_info.
    Event_channels(Domid self, uint32_t nr_vcpus);
    Event_channels(Event_channels const &) = delete;
    Event_channels &operator=(Event_channels const &) = delete;

    // Moves the pending/mask state to the guest-visible pages (keeping bits already set).
    // guest_long_bits is 64 or 32: the width of one evtchn_pending_sel bit's word.
    void attach(Shared_events *shared, std::span<Vcpu_events *const> vcpus,
                unsigned guest_long_bits);

    Domid self() const { return self_; }

    // EVTCHNOP_alloc_unbound for this domain: a port that `remote` may bind to.
    Result<Port, Errno> alloc_unbound(Domid remote);
    // EVTCHNOP_bind_interdomain: binds a new local port to `remote`'s unbound port. The caller
    // resolved the remote domain (ESRCH if none) and consulted the policy first.
    Result<Port, Errno> bind_interdomain(Event_channels &remote, Port remote_port, Notify *notify);
    Result<Port, Errno> bind_virq(uint32_t virq, uint32_t vcpu);
    Result<Port, Errno> bind_ipi(uint32_t vcpu);

    // EVTCHNOP_close. RESOLVE: Event_channels *(Domid), nullptr for a domain that is gone.
    template <typename RESOLVE> Result<void, Errno> close(Port p, RESOLVE &&resolve)
    {
        if (!valid(p))
            return unexpected(Errno::XEN_EINVAL);
        Channel &c = ports_[p];
        if (c.state == State::FREE || c.state == State::RESERVED)
            return unexpected(Errno::XEN_EINVAL);
        if (c.state == State::INTERDOMAIN) {
            Event_channels *peer = c.remote_dom == self_ ? this : resolve(c.remote_dom);
            if (peer != nullptr)
                peer->peer_closed(c.remote_port, self_);
        }
        if (c.state == State::VIRQ)
            virq_port_[c.vcpu][c.virq] = 0;
        free_port(p);
        return ok;
    }

    // Closes every port (domain teardown); peers see their ends turn unbound.
    template <typename RESOLVE> void close_all(RESOLVE &&resolve)
    {
        for (Port p = 1; p < MAX_PORTS; ++p)
            if (ports_[p].state != State::FREE)
                (void)close(p, resolve); // every non-free port closes cleanly
    }

    // Policy revocation (docs/channels.md "Policy reload"): both ends of interdomain port `p`
    // turn unbound, each naming the other as its allowed peer, as if the other end had closed;
    // both are raised first so a waiting guest wakes and finds out. Returns the notifications
    // to deliver (this end's, then the peer's; the peer's target is nullptr if it is gone).
    struct Severed
    {
        Notify self;
        Notify peer;
    };
    template <typename RESOLVE> Result<Severed, Errno> sever(Port p, RESOLVE &&resolve)
    {
        if (!valid(p) || ports_[p].state != State::INTERDOMAIN)
            return unexpected(Errno::XEN_EINVAL);
        Channel const c = ports_[p];
        Severed out{{nullptr, 0, false}, {nullptr, 0, false}};
        Event_channels *peer = c.remote_dom == self_ ? this : resolve(c.remote_dom);
        if (peer != nullptr) {
            out.peer = peer->raise(c.remote_port);
            peer->peer_closed(c.remote_port, self_);
        }
        out.self = raise(p);
        peer_closed(p, c.remote_dom);
        return out;
    }

    // EVTCHNOP_send.
    template <typename RESOLVE> Result<Notify, Errno> send(Port p, RESOLVE &&resolve)
    {
        if (!valid(p))
            return unexpected(Errno::XEN_EINVAL);
        Channel const &c = ports_[p];
        switch (c.state) {
        case State::INTERDOMAIN: {
            Event_channels *peer = c.remote_dom == self_ ? this : resolve(c.remote_dom);
            if (peer == nullptr)
                return Notify{nullptr, 0, false};
            return peer->raise(c.remote_port);
        }
        case State::IPI: return raise(p);
        case State::UNBOUND: return Notify{nullptr, 0, false}; // dropped, as Xen does
        default: return unexpected(Errno::XEN_EINVAL);
        }
    }

    // Raises a VIRQ bound on `vcpu` (e.g. VIRQ_TIMER); nothing if it is not bound.
    Notify raise_virq(uint32_t virq, uint32_t vcpu);
    // Whether raising that VIRQ would reach a port (an unbound one raises nothing).
    bool virq_bound(uint32_t virq, uint32_t vcpu) const;
    // Raises this domain's port `p` for a channel the hypervisor serves itself (the PV console
    // input): `p` must be an unbound port whose allowed remote is this domain; EINVAL otherwise.
    Result<Notify, Errno> raise_local(Port p);

    Result<Status_info, Errno> status(Port p) const;
    // EVTCHNOP_unmask: clears the mask bit; an already pending port raises the upcall.
    Result<Notify, Errno> unmask(Port p);

    bool pending(Port p) const;
    bool masked(Port p) const;
    State state(Port p) const { return p < MAX_PORTS ? ports_[p].state : State::FREE; }

  private:
    struct Channel
    {
        State state = State::FREE;
        Domid remote_dom = 0;
        Port remote_port = 0;
        uint32_t virq = 0;
        uint32_t vcpu = 0; // the vCPU notified
    };

    static bool valid(Port p) { return p < MAX_PORTS; }
    Result<Port, Errno> take_port();
    void free_port(Port p);
    void peer_closed(Port p, Domid closer);
    Notify raise(Port p);
    bool set_selector(Vcpu_events &v, Port p);

    Domid self_;
    uint32_t nr_vcpus_;
    unsigned sel_bits_ = 64;
    std::array<Channel, MAX_PORTS> ports_{};
    std::array<std::array<Port, NR_VIRQS>, MAX_VCPUS> virq_port_{};
    Shared_events own_shared_{};
    std::array<Vcpu_events, MAX_VCPUS> own_vcpu_{};
    uint64_t *pending_; // the guest-visible words once attached (own_shared_ before)
    uint64_t *mask_;
    std::array<Vcpu_events *, MAX_VCPUS> vcpu_{};
};

} // namespace hv::evtchn
