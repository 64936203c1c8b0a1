// SPDX-License-Identifier: MIT
// The pure parts of the grant transport (docs/vchan.md section 5): where a server publishes a
// channel in the store, parsing the two keys a client reads there, and checking the orders and
// grant list of the control page the server wrote. Everything parsed here is the peer's to forge.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hv/result.hpp"
#include "ward/vchan/error.hpp"
#include "ward/vchan/layout.hpp"

namespace dom::vchan
{

struct Endpoint;

// Grant references below this are Xen's reserved entries (0 console, 1 xenstore); gntalloc
// never hands them out, so a channel naming one is forged.
inline constexpr uint32_t FIRST_FREE_GRANT_REF = 8;
// 2-level event channels on a 64-bit guest: ports 1..4095 (0 is never a valid port).
inline constexpr uint32_t MAX_EVTCHN_PORT = 4095;

// /local/domain/<server>/data/vchan/<client>/<port> (libxenvchan's path).
std::string store_path(Endpoint const &ep);

// The `ring-ref` key: the control page's grant reference, decimal. PROTOCOL unless it is 1 to
// 10 digits, nothing else, a u32 and not a reserved entry.
hv::Result<uint32_t, Error> parse_ring_ref(std::string_view value);
// The `event-channel` key: the server's unbound port, decimal, 1..MAX_EVTCHN_PORT.
hv::Result<uint32_t, Error> parse_event_channel(std::string_view value);

// The control page's orders (read once by the caller): both within 10..20, not both in-page
// with the same order, and the grant list must fit before any in-page ring.
hv::Result<Orders, Error> check_orders(unsigned left_order, unsigned right_order);

// The grants of a checked layout, left ring's then right's, read from `grants` (the control
// page's array, at most what grants_fit allows): none reserved, none the control page, no page
// granted twice (two ring slots on one page would let the server alias the rings).
hv::Result<std::vector<uint32_t>, Error> check_grants(uint32_t const *grants, Orders o,
                                                      uint32_t control_ref);

} // namespace dom::vchan
