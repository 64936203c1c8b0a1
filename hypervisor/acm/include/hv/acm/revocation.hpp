// SPDX-License-Identifier: MIT
// What loading a new policy does to running domains and their channels (docs/policy.md,
// "Reloading the policy"), as pure decisions over the new policy; the kernel acts on them.
//   relabel:       the label of the new policy a running domain takes (NO_LABEL: gone).
//   wall_conflict: two running domains the new Chinese Wall rules forbid to run together; a
//                  reload that would create one is refused (as Xen's ACM refused it).
//   plan_revocation: which live event channels and grant mappings the new policy forbids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hv/acm/decision.hpp"
#include "hv/acm/guard.hpp"
#include "hv/acm/policy_view.hpp"

namespace hv::acm
{

// The label of `to` for a running domain. With a policy in force (`from`), its label index
// there is carried across (carry_label: Name@from renames, else the same name); without one
// (the built-in policy was in force), the domain's label name is looked up in `to`. NO_LABEL
// when the new policy has no such label, or names a resource label.
uint32_t relabel(Policy_view const *from, uint32_t old_label, Name name, Policy_view const &to);

// Two running domains, by their index in the span given to first_wall_conflict, that may not
// run at the same time under the new policy, with the deciding Chinese Wall decision.
struct Wall_conflict
{
    size_t first;
    size_t second;
    Decision decision;
};

// The first pair of `labels` (labels of `p`; NO_LABEL entries hold no types and are skipped)
// whose Chinese Wall types conflict, or none.
std::optional<Wall_conflict> first_wall_conflict(Policy_view const &p,
                                                 std::span<uint32_t const> labels);

// Whether an existing channel between labels a and b of `p` stays allowed: the STE share
// decision; a NO_LABEL end never shares.
bool link_survives(Policy_view const &p, uint32_t a, uint32_t b);

// For each link (labels of `p`, already relabelled): revoke[i] = !link_survives. Returns how
// many are revoked. `revoke` must be at least as long as `links`; extra entries are untouched.
uint32_t plan_revocation(Policy_view const &p, std::span<Channel const> links,
                         std::span<bool> revoke);

} // namespace hv::acm
