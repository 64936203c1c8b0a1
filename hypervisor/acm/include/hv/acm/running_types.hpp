// SPDX-License-Identifier: MIT
// Chinese Wall run-time state: how many running domains hold each CW type. A domain may start
// only if no running domain holds a different CW type sharing a conflict set with one of its own.
// The counts live in caller memory (one u32 per CW type); nothing here allocates.
#pragma once

#include <cstdint>
#include <span>

#include "hv/acm/decision.hpp"
#include "hv/acm/policy_view.hpp"
#include "hv/result.hpp"

namespace hv::acm
{

enum class Track_error : uint8_t
{
    TOO_SMALL,   // the count memory holds fewer entries than the policy has CW types
    BAD_LABEL,   // label index outside the policy, or a resource label
    NOT_RUNNING, // stop() of a label whose types are not counted as running
    OVERFLOW,    // a count would pass 2^32 - 1
};

class Running_types
{
  public:
    // Zeroes `counts`. Keeps its own copy of the view (the policy bytes must outlive this
    // object); after a policy reload build a new one and re-add the running domains with
    // add_running().
    static Result<Running_types, Track_error> create(Policy_view const &p,
                                                     std::span<uint32_t> counts);

    // The Chinese Wall check for starting a domain labelled `label` now.
    Decision may_start(uint32_t label) const;

    // may_start(), and when allowed, counts the label's CW types as running.
    Decision start(uint32_t label);

    // Counts a domain as running without the check: for re-seeding after a policy reload
    // (domains already running stay running; conflicts among them are reported, not undone).
    Result<void, Track_error> add_running(uint32_t label);

    // A domain with this label stopped.
    Result<void, Track_error> stop(uint32_t label);

    uint32_t running(uint16_t cw_type) const { return counts_[cw_type]; }

  private:
    Running_types(Policy_view const &p, std::span<uint32_t> counts) : p_{p}, counts_{counts} {}
    bool vm_label(uint32_t label) const;

    Policy_view p_;
    std::span<uint32_t> counts_;
};

} // namespace hv::acm
