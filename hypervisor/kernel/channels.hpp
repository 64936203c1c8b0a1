// SPDX-License-Identifier: MIT
// Per-domain inter-domain channel state (docs/channels.md): the domain's event channel port
// table, its grant table (one hypervisor frame of v1 entries) and maptrack, its HVM parameters
// and where its shared_info lives. Kept beside the domain table, indexed by domain slot, so the
// Domain struct stays small. The hooks below are called by the domain builder, end_domain and
// the scheduler; the hypercall handlers are hc_event_channel.cpp, hc_grant_table.cpp and
// hc_hvm.cpp.
#pragma once

#include <cstdint>
#include <optional>

#include "hv/event_channel.hpp"
#include "hv/grant_table.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// HVM_PARAM_* indices Ward keeps (public/hvm/params.h).
inline constexpr uint32_t HVM_PARAM_CALLBACK_IRQ = 0;
inline constexpr uint32_t HVM_PARAM_STORE_PFN = 1;
inline constexpr uint32_t HVM_PARAM_STORE_EVTCHN = 2;
inline constexpr uint32_t HVM_PARAM_CONSOLE_PFN = 17;
inline constexpr uint32_t HVM_PARAM_CONSOLE_EVTCHN = 18;
inline constexpr uint32_t HVM_NR_PARAMS = 40;

// Grant table size: two frames of v1 entries (Linux needs at least two: with one, its free-list
// array has 512 / 1024 = 0 pages and gnttab_init dereferences ZERO_SIZE_PTR).
inline constexpr uint32_t GNTTAB_FRAMES = 2;
inline constexpr unsigned GNTTAB_ORDER = 1; // 2^1 contiguous hypervisor frames
inline constexpr uint32_t GNTTAB_ENTRIES = GNTTAB_FRAMES * 4096 / sizeof(gnttab::Grant_entry_v1);

// Guest-physical window where grant frames, the grant table and foreign mappings may be placed:
// above the domain's RAM and below this limit (under the 4 GiB MMIO hole).
inline constexpr uint64_t FOREIGN_WINDOW_END = 0xf0000000;
// And a second window above 4 GiB, where Linux's unpopulated-memory allocator (the pages gntdev
// and the grant table frames use in a PVH domain) places its ranges.
inline constexpr uint64_t FOREIGN_HIGH_START = 1ull << 32;
inline constexpr uint64_t FOREIGN_HIGH_END = 1ull << 39;
inline constexpr bool in_foreign_window(uint64_t mem_bytes, uint64_t gpa, uint64_t len)
{
    return (gpa >= mem_bytes && gpa + len <= FOREIGN_WINDOW_END) ||
           (gpa >= FOREIGN_HIGH_START && gpa + len <= FOREIGN_HIGH_END);
}

struct Map_shadow
{
    bool used = false;
    // The granter died, or a policy reload forbade the mapping: the granter's entry is no
    // longer pinned and a read-only zero page stands in for its frame until the mapper unmaps.
    bool revoked = false;
    uint16_t granter = 0;
    uint64_t gpa = 0;
    // After the mapper wrote to a revoked mapping: its own zeroed page (charged to it) in place
    // of the zero page, freed at the unmap (channels_revoked_write()).
    uint64_t private_pa = 0;
};

struct Domain_channels
{
    bool active = false;
    std::optional<evtchn::Event_channels> evtchn;
    std::optional<gnttab::Grant_table> grants;
    std::optional<gnttab::Maptrack> maptrack;
    std::array<Map_shadow, gnttab::MAX_MAPS> shadow{};
    uint64_t gnttab_pa = 0; // hypervisor frames holding the grant entries (contiguous)
    // Where the guest placed each frame (XENMAPSPACE_grant_table), ~0 if not placed.
    std::array<uint64_t, GNTTAB_FRAMES> gnttab_gpa{~uint64_t{0}, ~uint64_t{0}};
    uint64_t shared_info_gpa = ~uint64_t{0};
    // vCPU 0's vcpu_info once moved by VCPUOP_register_vcpu_info (hc_vcpu_op.cpp), else ~0:
    // it is then shared_info's vcpu_info[0].
    uint64_t vcpu_info_gpa = ~uint64_t{0};
    std::array<uint64_t, HVM_NR_PARAMS> params{};
    uint8_t upcall_vector = 0; // 0: none registered
    uint32_t acm_label = 0xffffffff;
    uint64_t upcalls = 0;
    uint64_t sends = 0;
};

Domain_channels &channels(Domain const &d);

// Resolvers for hv core's event channel and grant table logic: live domains only.
evtchn::Event_channels *evtchn_of(uint16_t domid);
gnttab::Grant_table *grants_of(uint16_t domid);

// The domain was built: fresh channel state, its ACM label and the Chinese Wall check. False:
// the ACM refused it (already logged); the caller ends the domain.
bool channels_domain_started(Domain &d);
// The domain is ending (before its memory and address space go): peers get a last event and
// see their ports turn unbound, its mappings end, others' mappings of its frames are revoked.
void channels_domain_ending(Domain &d);
// A write of `d` faulted at `gpa`: if that is a revoked grant mapping of d (the zero page
// stands in), d gets a private zeroed page there, writable, and true is returned (the write is
// retried). A peer's death or a policy reload thus never ends a domain that was still writing
// into the shared ring; what it writes goes nowhere. False: not such a mapping, or no memory.
bool channels_revoked_write(Domain &d, uint64_t gpa);
// Frees the private page of a revoked mapping, if it has one (unmap, or the mapper ending).
void channels_drop_private_page(Domain &d, Map_shadow &s);
// After a policy reload (acm_reload): closes every interdomain event channel (both ends turn
// unbound and are raised) and revokes every grant mapping the policy in force now forbids, each
// logged with both labels. Returns how many.
uint32_t channels_policy_changed();
// Before each entry of the vCPU: the upcall vector injection (VIRQ_TIMER comes from the
// guest's timers, guest_timer.hpp).
void channels_before_entry(Domain &d, arch::Vcpu &v);
// vCPU 0 has an event upcall pending (a halt or SCHEDOP_block must not sleep through it).
bool channels_upcall_pending(Domain const &d);
// The domain takes events through an upcall vector, so an event wakes it; others are woken by
// every scheduler tick as well (they poll).
bool channels_wake_by_event(Domain const &d);
// Acts on a notification from hv core: wakes the target domain if it sleeps.
void deliver(evtchn::Notify const &n);

} // namespace hv::kernel
