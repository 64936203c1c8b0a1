// SPDX-License-Identifier: MIT
#include "hv/event_channel.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>

using namespace hv::evtchn;
using hv::xen::Errno;

namespace
{

// Two or more domains and a resolver over them, as the kernel's domain table would be.
struct World
{
    std::map<Domid, std::unique_ptr<Event_channels>> doms;

    Event_channels &add(Domid id, uint32_t vcpus = 1)
    {
        doms[id] = std::make_unique<Event_channels>(id, vcpus);
        return *doms[id];
    }
    auto resolver()
    {
        return [this](Domid id) -> Event_channels * {
            auto const it = doms.find(id);
            return it == doms.end() ? nullptr : it->second.get();
        };
    }
};

TEST(EventChannel, AllocUnboundThenBindInterdomain)
{
    World w;
    Event_channels &a = w.add(1);
    Event_channels &b = w.add(2);
    auto const pa = a.alloc_unbound(2);
    ASSERT_TRUE(pa.has_value());
    EXPECT_EQ(*pa, 1u); // port 0 is reserved
    EXPECT_EQ(a.status(*pa)->status, Status::UNBOUND);
    EXPECT_EQ(a.status(*pa)->dom, 2u);

    Notify n{};
    auto const pb = b.bind_interdomain(a, *pa, &n);
    ASSERT_TRUE(pb.has_value());
    EXPECT_EQ(n.target, &b); // the binder's new port starts pending
    EXPECT_TRUE(n.upcall);
    EXPECT_TRUE(b.pending(*pb));
    auto const sa = a.status(*pa);
    EXPECT_EQ(sa->status, Status::INTERDOMAIN);
    EXPECT_EQ(sa->dom, 2u);
    EXPECT_EQ(sa->port, *pb);
    EXPECT_EQ(b.status(*pb)->port, *pa);

    // a -> b and b -> a.
    auto const to_b = a.send(*pa, w.resolver());
    ASSERT_TRUE(to_b.has_value());
    EXPECT_EQ(to_b->target, &b);
    EXPECT_FALSE(to_b->upcall); // already pending from the bind
    auto const to_a = b.send(*pb, w.resolver());
    EXPECT_EQ(to_a->target, &a);
    EXPECT_TRUE(to_a->upcall);
    EXPECT_TRUE(a.pending(*pa));
}

TEST(EventChannel, BindingNeedsAnUnboundPortNamingTheBinder)
{
    World w;
    Event_channels &a = w.add(1);
    Event_channels &b = w.add(2);
    Event_channels &c = w.add(3);
    Port const for_b = *a.alloc_unbound(2);
    EXPECT_EQ(c.bind_interdomain(a, for_b, nullptr).error(), Errno::XEN_EINVAL); // not for c
    EXPECT_EQ(b.bind_interdomain(a, 0, nullptr).error(), Errno::XEN_EINVAL);     // reserved
    EXPECT_EQ(b.bind_interdomain(a, 77, nullptr).error(), Errno::XEN_EINVAL);    // free
    EXPECT_EQ(b.bind_interdomain(a, MAX_PORTS, nullptr).error(), Errno::XEN_EINVAL);
    EXPECT_EQ(b.bind_interdomain(a, ~0u, nullptr).error(), Errno::XEN_EINVAL);
    ASSERT_TRUE(b.bind_interdomain(a, for_b, nullptr).has_value());
    EXPECT_EQ(b.bind_interdomain(a, for_b, nullptr).error(), Errno::XEN_EINVAL); // bound now
    // DOMID_SELF names the allocating domain: a loopback channel.
    Port const self = *a.alloc_unbound(DOMID_SELF);
    EXPECT_EQ(a.status(self)->dom, 1u);
    auto const loop = a.bind_interdomain(a, self, nullptr);
    ASSERT_TRUE(loop.has_value());
    EXPECT_EQ(a.send(self, w.resolver())->target, &a);
}

TEST(EventChannel, CloseTurnsThePeerUnboundAndSendIsDropped)
{
    World w;
    Event_channels &a = w.add(1);
    Event_channels &b = w.add(2);
    Port const pa = *a.alloc_unbound(2);
    Port const pb = *b.bind_interdomain(a, pa, nullptr);
    ASSERT_TRUE(b.close(pb, w.resolver()).has_value());
    EXPECT_EQ(b.status(pb)->status, Status::CLOSED);
    EXPECT_FALSE(b.pending(pb)); // cleared with the port
    EXPECT_EQ(a.status(pa)->status, Status::UNBOUND);
    EXPECT_EQ(a.status(pa)->dom, 2u); // b may bind again
    auto const dropped = a.send(pa, w.resolver());
    ASSERT_TRUE(dropped.has_value());
    EXPECT_EQ(dropped->target, nullptr);
    EXPECT_EQ(b.close(pb, w.resolver()).error(), Errno::XEN_EINVAL); // double close
    EXPECT_EQ(b.close(0, w.resolver()).error(), Errno::XEN_EINVAL);
    EXPECT_EQ(b.close(5000, w.resolver()).error(), Errno::XEN_EINVAL);
    EXPECT_TRUE(b.bind_interdomain(a, pa, nullptr).has_value());
}

TEST(EventChannel, SeverTurnsBothEndsUnboundAndRaisesBoth)
{
    World w;
    Event_channels &a = w.add(1);
    Event_channels &b = w.add(2);
    Port const pa = *a.alloc_unbound(2);
    Port const pb = *b.bind_interdomain(a, pa, nullptr);
    auto const s = a.sever(pa, w.resolver());
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->self.target, &a);
    EXPECT_EQ(s->peer.target, &b);
    EXPECT_TRUE(a.pending(pa)); // both ends raised: a waiting guest wakes and looks
    EXPECT_TRUE(b.pending(pb));
    EXPECT_EQ(a.status(pa)->status, Status::UNBOUND);
    EXPECT_EQ(a.status(pa)->dom, 2u);
    EXPECT_EQ(b.status(pb)->status, Status::UNBOUND);
    EXPECT_EQ(b.status(pb)->dom, 1u);
    EXPECT_EQ(a.send(pa, w.resolver())->target, nullptr); // dropped: nothing is connected
    EXPECT_EQ(a.sever(pa, w.resolver()).error(), Errno::XEN_EINVAL); // no longer interdomain
    EXPECT_EQ(a.sever(0, w.resolver()).error(), Errno::XEN_EINVAL);
    EXPECT_EQ(a.sever(5000, w.resolver()).error(), Errno::XEN_EINVAL);
    // The ports stay allocated; either side may close its own.
    EXPECT_TRUE(a.close(pa, w.resolver()).has_value());
    EXPECT_TRUE(b.close(pb, w.resolver()).has_value());
    // A peer that is gone already: only this end changes.
    Event_channels &c = w.add(3);
    Port const pc = *c.alloc_unbound(1);
    Port const pa2 = *a.bind_interdomain(c, pc, nullptr);
    w.doms.erase(3);
    auto const s2 = a.sever(pa2, w.resolver());
    ASSERT_TRUE(s2.has_value());
    EXPECT_EQ(s2->peer.target, nullptr);
    EXPECT_EQ(a.status(pa2)->status, Status::UNBOUND);
}

TEST(EventChannel, DomainDeathDisconnectsItsPeers)
{
    World w;
    Event_channels &a = w.add(1);
    Event_channels &b = w.add(2);
    Port const pa = *a.alloc_unbound(2);
    Port const pb = *b.bind_interdomain(a, pa, nullptr);
    ASSERT_TRUE(b.bind_virq(VIRQ_TIMER, 0).has_value());
    b.close_all(w.resolver());
    w.doms.erase(2);
    EXPECT_EQ(a.status(pa)->status, Status::UNBOUND);
    EXPECT_EQ(a.send(pa, w.resolver())->target, nullptr);
    (void)pb;
    // A peer that vanished without closing is tolerated too.
    Event_channels &c = w.add(3);
    Port const pc = *c.alloc_unbound(1);
    Port const pa2 = *a.bind_interdomain(c, pc, nullptr);
    w.doms.erase(3);
    EXPECT_EQ(a.send(pa2, w.resolver())->target, nullptr);
    EXPECT_TRUE(a.close(pa2, w.resolver()).has_value());
}

TEST(EventChannel, VirqAndIpi)
{
    World w;
    Event_channels &a = w.add(1, 2);
    EXPECT_EQ(a.bind_virq(NR_VIRQS, 0).error(), Errno::XEN_EINVAL);
    EXPECT_EQ(a.bind_virq(VIRQ_TIMER, 2).error(), Errno::XEN_ENOENT);
    EXPECT_FALSE(a.virq_bound(VIRQ_TIMER, 0)); // the scheduler arms no host timer for it yet
    Port const t0 = *a.bind_virq(VIRQ_TIMER, 0);
    EXPECT_TRUE(a.virq_bound(VIRQ_TIMER, 0));
    EXPECT_FALSE(a.virq_bound(VIRQ_TIMER, 1));
    EXPECT_FALSE(a.virq_bound(NR_VIRQS, 0));
    EXPECT_FALSE(a.virq_bound(VIRQ_TIMER, 2));
    Port const t1 = *a.bind_virq(VIRQ_TIMER, 1);
    EXPECT_EQ(a.bind_virq(VIRQ_TIMER, 0).error(), Errno::XEN_EEXIST);
    EXPECT_EQ(a.status(t1)->status, Status::VIRQ);
    EXPECT_EQ(a.status(t1)->vcpu, 1u);
    auto const n = a.raise_virq(VIRQ_TIMER, 1);
    EXPECT_EQ(n.vcpu, 1u);
    EXPECT_TRUE(n.upcall);
    EXPECT_TRUE(a.pending(t1));
    EXPECT_FALSE(a.pending(t0));
    EXPECT_EQ(a.send(t0, w.resolver()).error(), Errno::XEN_EINVAL); // VIRQs are not sent
    ASSERT_TRUE(a.close(t0, w.resolver()).has_value());
    EXPECT_FALSE(a.virq_bound(VIRQ_TIMER, 0));
    EXPECT_EQ(a.raise_virq(VIRQ_TIMER, 0).target, nullptr);
    EXPECT_TRUE(a.bind_virq(VIRQ_TIMER, 0).has_value()); // free to bind again

    EXPECT_EQ(a.bind_ipi(5).error(), Errno::XEN_ENOENT);
    Port const ipi = *a.bind_ipi(1);
    EXPECT_EQ(a.status(ipi)->status, Status::IPI);
    auto const s = a.send(ipi, w.resolver());
    EXPECT_EQ(s->target, &a);
    EXPECT_EQ(s->vcpu, 1u);
    EXPECT_EQ(a.status(900)->status, Status::CLOSED);
    EXPECT_EQ(a.status(MAX_PORTS).error(), Errno::XEN_EINVAL);
}

TEST(EventChannel, TwoLevelPendingMaskAndSelectorSemantics)
{
    World w;
    Event_channels &a = w.add(1);
    Shared_events shared{};
    Vcpu_events vcpu{};
    Vcpu_events *const vcpus[] = {&vcpu};
    a.attach(&shared, vcpus, 64);
    Port p = 0;
    for (int i = 0; i < 70; ++i) // reach a port in the second selector word
        p = *a.bind_ipi(0);
    EXPECT_EQ(p, 70u);
    shared.mask[1] |= uint64_t{1} << 6; // the guest masks port 70

    auto n = a.send(p, w.resolver());
    EXPECT_FALSE(n->upcall);
    EXPECT_EQ(shared.pending[1], uint64_t{1} << 6);
    EXPECT_EQ(vcpu.pending_sel, 0u); // masked: no selector, no upcall
    EXPECT_EQ(vcpu.upcall_pending, 0u);

    n = a.unmask(p); // pending and now unmasked: the upcall fires
    EXPECT_TRUE(n->upcall);
    EXPECT_EQ(shared.mask[1], 0u);
    EXPECT_EQ(vcpu.pending_sel, 2u);
    EXPECT_EQ(vcpu.upcall_pending, 1u);
    EXPECT_FALSE(a.unmask(p)->upcall); // not masked any more

    // The guest acknowledges: clears upcall_pending, the selector and the pending bit.
    vcpu.upcall_pending = 0;
    vcpu.pending_sel = 0;
    shared.pending[1] = 0;
    EXPECT_TRUE(a.send(p, w.resolver())->upcall);
    EXPECT_FALSE(a.send(p, w.resolver())->upcall); // still pending: coalesced
    EXPECT_EQ(a.unmask(MAX_PORTS).error(), Errno::XEN_EINVAL);
}

TEST(EventChannel, ThirtyTwoBitGuestsUseNarrowerSelectorWords)
{
    World w;
    Event_channels &a = w.add(1);
    Shared_events shared{};
    Vcpu_events vcpu{};
    Vcpu_events *const vcpus[] = {&vcpu};
    Port const early = *a.bind_ipi(0);
    ASSERT_TRUE(a.send(early, w.resolver())->upcall); // before attach: private bits
    a.attach(&shared, vcpus, 32);
    EXPECT_TRUE(a.pending(early)); // carried over
    EXPECT_EQ(vcpu.upcall_pending, 1u);
    Port p = 0;
    for (int i = 0; i < 40; ++i)
        p = *a.bind_ipi(0);
    vcpu = {};
    (void)a.send(p, w.resolver());
    EXPECT_EQ(vcpu.pending_sel32, 2u); // port 41 / 32 = selector bit 1, in the 32-bit word at 4
    EXPECT_EQ(vcpu.pending_sel, 0u);   // nothing in what is cr2 for a 32-bit guest

    // The 32-bit guest's mask words start 128 bytes after the pending words.
    auto *const mask32 = reinterpret_cast<uint32_t *>(reinterpret_cast<unsigned char *>(&shared) +
                                                      hv::evtchn::MASK_OFFSET_32);
    mask32[p / 32] |= 1u << (p % 32);
    EXPECT_TRUE(a.masked(p));
    vcpu = {};
    shared.pending[p / 64] = 0;
    EXPECT_FALSE(a.send(p, w.resolver())->upcall); // masked: pending only
    EXPECT_EQ(vcpu.pending_sel32, 0u);
    EXPECT_TRUE(a.unmask(p)->upcall);
    EXPECT_EQ(mask32[p / 32], 0u);
}

TEST(EventChannel, RunsOutOfPortsCleanly)
{
    World w;
    Event_channels &a = w.add(1);
    for (Port i = 1; i < MAX_PORTS; ++i)
        ASSERT_TRUE(a.alloc_unbound(2).has_value());
    EXPECT_EQ(a.alloc_unbound(2).error(), Errno::XEN_ENOSPC);
    EXPECT_EQ(a.bind_ipi(0).error(), Errno::XEN_ENOSPC);
    ASSERT_TRUE(a.close(500, w.resolver()).has_value());
    EXPECT_EQ(*a.bind_ipi(0), 500u); // the lowest free port
}

} // namespace
