// SPDX-License-Identifier: MIT
// The xenstore link of every Linux domain (docs/store-domain.md): when a domain holding the
// `store` capability runs, each other Linux domain gets a zeroed store ring page in its reserved
// legacy window (HVM_PARAM_STORE_PFN), an unbound event channel whose remote end is the store
// domain (HVM_PARAM_STORE_EVTCHN), and grant entry 1 (GNTTAB_RESERVED_XENSTORE) granting that
// page to the store domain. The store domain finds domains with WARD_DOMCTL_STORE_INFO and is
// told of their arrival and end through VIRQ_DOM_EXC. The ACM admits exactly these two shares
// (the map of ref 1 and the bind of that port) for the store domain that was named there.
#pragma once

#include <cstdint>
#include <span>

#include "hv/result.hpp"
#include "hv/xen_abi.hpp"
#include "kernel/domain.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{

inline constexpr uint64_t STORE_PAGE_GPA = 0xee000; // inside reserved 0xA0000..0xFFFFF
inline constexpr uint32_t GNTTAB_RESERVED_XENSTORE = 1;
inline constexpr uint32_t VIRQ_DOM_EXC = 3;

// True for a domain module whose command line grants `caps=...store...`: built before the others.
bool is_store_module(std::span<char const> cmdline);

// Gives `d` its store ring, port and grant entry if a store domain is alive; false if there is
// none (d keeps HVM_PARAM_STORE_PFN = 0) or on failure (logged).
bool store_ring_setup(Domain &d);

// `d` is ending: its store domain (if any) gets VIRQ_DOM_EXC.
void store_domain_ending(Domain &d);

// The store-domain exemptions from the ACM share check.
bool store_may_map(Domain const &self, Domain const &granter, uint32_t ref);
bool store_may_bind(Domain const &self, Domain const &remote, uint32_t remote_port);

// WARD_DOMCTL_STORE_INFO: the first live domain with id >= `from` served by `self`.
Result<ward_store_info, xen::Errno> store_info(Domain const &self, uint16_t from);

} // namespace hv::kernel
