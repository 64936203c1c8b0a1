// SPDX-License-Identifier: MIT
// The ACM decisions over a loaded policy, each with the reason and the types that decided it.
//   share(a, b):  Simple Type Enforcement: allowed iff the labels' STE type sets intersect.
//   use(d, r):    a domain may use a resource iff the resource's one STE type is in d's set.
//   coexist(a,b): Chinese Wall: denied iff a holds CW type t and b holds a different CW type u
//                 with t and u in one conflict set.
#pragma once

#include <cstdint>

#include "hv/acm/policy_view.hpp"

namespace hv::acm
{

enum class Reason : uint8_t
{
    COMMON_TYPE,    // share/use allowed: both hold STE type `type_a`
    NO_COMMON_TYPE, // share/use denied: no STE type in common
    NO_CONFLICT,    // coexist allowed: no conflict set separates the labels
    CONFLICT,       // coexist denied: `type_a` and `type_b` are both in conflict set `set`
    BAD_LABEL,      // denied: a label index outside the policy
    NOT_A_DOMAIN,   // denied: a resource label where a virtual-machine label is needed
    NOT_A_RESOURCE, // denied: use() on a label that is not a resource label
    NO_POLICY,      // denied: no policy loaded yet
};

inline constexpr uint16_t NO_INDEX = 0xffff;

struct Decision
{
    bool allow = false;
    Reason reason = Reason::BAD_LABEL;
    uint16_t type_a = NO_INDEX; // deciding type of the first label (STE or CW)
    uint16_t type_b = NO_INDEX; // CONFLICT: the second label's conflicting CW type
    uint16_t set = NO_INDEX;    // CONFLICT: the conflict set

    static constexpr Decision deny(Reason r) { return Decision{false, r}; }
};

char const *describe(Reason r);

// Domain-to-domain sharing (event channels, grants). Symmetric.
Decision decide_share(Policy_view const &p, uint32_t a, uint32_t b);

// Domain `d` using resource `r` (block device, network, vTPM instance).
Decision decide_use(Policy_view const &p, uint32_t d, uint32_t r);

// Whether two domains may run at the same time. Symmetric.
Decision decide_coexist(Policy_view const &p, uint32_t a, uint32_t b);

} // namespace hv::acm
