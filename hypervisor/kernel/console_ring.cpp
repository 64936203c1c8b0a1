// SPDX-License-Identifier: MIT
// The PV console ring (see console_ring.hpp).
#include "kernel/console_ring.hpp"

#include "arch/x86_64/paging.hpp"
#include "kernel/channels.hpp"
#include "kernel/console_focus.hpp"
#include "kernel/guest_memory.hpp"

namespace hv::kernel
{
namespace
{

// struct xencons_interface (xen/include/public/io/console.h).
constexpr uint64_t OUT_OFFSET = 1024;
constexpr uint32_t OUT_SIZE = 2048;
constexpr uint64_t OUT_CONS = 3080;
constexpr uint64_t OUT_PROD = 3084;

} // namespace

bool console_ring_setup(Domain &d)
{
    Domain_channels &c = channels(d);
    if (!c.active || CONSOLE_PAGE_GPA + PAGE_SIZE > d.mem_bytes)
        return false;
    static constexpr std::byte zeros[PAGE_SIZE]{};
    if (!write_guest_phys(d, CONSOLE_PAGE_GPA, zeros, sizeof zeros))
        return false;
    // The port stays unbound on Ward's side: the guest's sends are dropped by the event channel
    // logic and the ring is drained after the hypercall instead; console input raises it with
    // Event_channels::raise_local (console_focus.cpp).
    auto const port = c.evtchn->alloc_unbound(d.id);
    if (!port)
        return false;
    c.params[HVM_PARAM_CONSOLE_PFN] = CONSOLE_PAGE_GPA / PAGE_SIZE;
    c.params[HVM_PARAM_CONSOLE_EVTCHN] = *port;
    if (!d.service)
        console_input_attach(d, *port);
    return true;
}

void console_ring_drain(Domain &d)
{
    Domain_channels const &c = channels(d);
    if (!c.active || c.params[HVM_PARAM_CONSOLE_PFN] != CONSOLE_PAGE_GPA / PAGE_SIZE)
        return;
    uint64_t hpa = 0;
    if (!d.gpa_to_hpa(CONSOLE_PAGE_GPA, hpa))
        return;
    auto *page = x86::phys_to_virt<unsigned char>(hpa);
    auto *cons_p = reinterpret_cast<uint32_t *>(page + OUT_CONS);
    auto *prod_p = reinterpret_cast<uint32_t *>(page + OUT_PROD);
    uint32_t const prod = __atomic_load_n(prod_p, __ATOMIC_ACQUIRE);
    uint32_t cons = __atomic_load_n(cons_p, __ATOMIC_RELAXED);
    if (prod == cons)
        return;
    if (prod - cons > OUT_SIZE) // the guest wrote nonsense indices: skip to its producer
        cons = prod - OUT_SIZE;
    char chunk[128];
    while (cons != prod) {
        size_t n = 0;
        while (cons != prod && n < sizeof chunk)
            chunk[n++] = static_cast<char>(page[OUT_OFFSET + (cons++ & (OUT_SIZE - 1))]);
        console_write(d, chunk, n);
    }
    __atomic_store_n(cons_p, prod, __ATOMIC_RELEASE);
}

} // namespace hv::kernel
