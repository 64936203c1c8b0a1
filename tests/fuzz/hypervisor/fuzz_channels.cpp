// SPDX-License-Identifier: MIT
// Fuzzes event channel and grant table operations as guests would drive them: each input is a
// sequence of (domain, operation, argument) records run against three domains; whatever the
// sequence, every call returns a Xen error or succeeds, and the tables stay consistent (an
// interdomain port's peer points back at it; a granter's pin counts equal the live mappings of
// its entries; the shared entries themselves are guest-writable and may say anything).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "hv/event_channel.hpp"
#include "hv/grant_table.hpp"

namespace
{

using namespace hv;

struct Dom
{
    explicit Dom(uint16_t id) : ev{id, 2}, shared(64), grants{id, shared, 0x1000}, maps{id} {}
    evtchn::Event_channels ev;
    std::vector<gnttab::Grant_entry_v1> shared;
    gnttab::Grant_table grants;
    gnttab::Maptrack maps;
    bool alive = true;
};

void check(std::vector<std::unique_ptr<Dom>> const &doms)
{
    for (auto const &d : doms) {
        if (!d->alive)
            continue;
        for (evtchn::Port p = 0; p < 64; ++p) {
            if (d->ev.state(p) != evtchn::State::INTERDOMAIN)
                continue;
            auto const s = d->ev.status(p);
            Dom const &peer = *doms[s->dom - 1];
            if (!peer.alive)
                continue;
            auto const back = peer.ev.status(s->port);
            if (back->status != evtchn::Status::INTERDOMAIN || back->port != p ||
                back->dom != d->ev.self())
                __builtin_trap();
        }
        uint32_t pins = 0;
        for (gnttab::Grant_ref r = 0; r < 64; ++r)
            pins += d->grants.pins(r);
        uint32_t mapped = 0;
        for (auto const &m : doms)
            if (m->alive)
                m->maps.for_each([&](gnttab::Handle, gnttab::Mapping const &mp) {
                    mapped += mp.granter == d->grants.self() ? 1 : 0;
                });
        if (pins != mapped)
            __builtin_trap();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    std::vector<std::unique_ptr<Dom>> doms;
    for (uint16_t id = 1; id <= 3; ++id)
        doms.push_back(std::make_unique<Dom>(id));
    auto ev_of = [&](evtchn::Domid id) -> evtchn::Event_channels * {
        return id >= 1 && id <= 3 && doms[id - 1]->alive ? &doms[id - 1]->ev : nullptr;
    };
    auto gt_of = [&](gnttab::Domid id) -> gnttab::Grant_table * {
        return id >= 1 && id <= 3 && doms[id - 1]->alive ? &doms[id - 1]->grants : nullptr;
    };
    for (size_t i = 0; i + 4 <= size; i += 4) {
        Dom &d = *doms[data[i] % 3];
        if (!d.alive)
            continue;
        uint8_t const op = data[i + 1] % 13;
        uint16_t const arg = static_cast<uint16_t>(data[i + 2] | data[i + 3] << 8);
        evtchn::Domid const other = static_cast<evtchn::Domid>(1 + arg % 3);
        switch (op) {
        case 0: (void)d.ev.alloc_unbound(other); break;
        case 1:
            if (auto *r = ev_of(other))
                (void)d.ev.bind_interdomain(*r, arg >> 2, nullptr);
            break;
        case 2: (void)d.ev.bind_virq(arg % 30, arg >> 8); break;
        case 3: (void)d.ev.bind_ipi(arg % 3); break;
        case 4: (void)d.ev.close(arg % 80, ev_of); break;
        case 5: (void)d.ev.send(arg % 80, ev_of); break;
        case 6: (void)d.ev.unmask(arg); break;
        case 7:
            d.shared[arg % 64] =
                gnttab::make_entry(static_cast<uint16_t>(arg >> 6 & 7), other, arg >> 9);
            break;
        case 8:
            if (auto *g = gt_of(other))
                (void)d.maps.map(*g, arg >> 2 & 127,
                                 arg & 3 ? gnttab::GNTMAP_HOST_MAP | (arg & 4) : 0, 0);
            break;
        case 9: (void)d.maps.unmap(arg % 300, gt_of); break;
        case 10: (void)d.grants.try_end_access(arg % 80); break;
        case 11: (void)d.ev.raise_virq(arg % 30, arg >> 8); break;
        default: // the domain dies: its channels close and its mappings end
            d.ev.close_all(ev_of);
            d.maps.release_all(gt_of, [](gnttab::Mapping const &) {});
            d.alive = false;
            break;
        }
        check(doms);
    }
    return 0;
}
