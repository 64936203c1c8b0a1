// SPDX-License-Identifier: MIT
// TCG PC Client crypto-agile event log with one bank (SHA-256): the Spec ID Event03 header in
// the SHA-1 event format, then TCG_PCR_EVENT2 records. All integers little-endian. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vtpm/crypto.hpp"
#include "vtpm/pcr.hpp"

namespace dom::builder
{

inline constexpr std::uint32_t EV_NO_ACTION = 0x3;
inline constexpr std::uint32_t EV_IPL = 0xd;

struct Event
{
    unsigned pcr{0};
    std::uint32_t type{EV_IPL};
    vtpm::Digest digest{};
    std::string data; // event data as stored in the log
};

// The whole log: header event plus `events` in order.
vtpm::Bytes encode_event_log(std::vector<Event> const &events);

// Parses a log produced by encode_event_log (or any single-bank SHA-256 crypto-agile log).
// BAD_INPUT on truncation, a wrong header or another digest algorithm.
vtpm::Result<std::vector<Event>> decode_event_log(std::span<std::uint8_t const> log);

// PCR values after extending each event's digest into zeroed PCRs, in order.
vtpm::Pcr_values replay(std::vector<Event> const &events);

} // namespace dom::builder
