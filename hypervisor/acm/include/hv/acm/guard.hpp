// SPDX-License-Identifier: MIT
// The policy in force and its generation: what the hypervisor's hooks call. Loading a new
// policy bumps the generation, which revokes every cached decision; a refused policy leaves the
// old one in force.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "hv/acm/decision.hpp"
#include "hv/acm/decision_cache.hpp"
#include "hv/acm/policy_view.hpp"
#include "hv/result.hpp"

namespace hv::acm
{

class Guard
{
  public:
    // Verifies and installs a binary policy (the bytes must outlive their use here).
    Result<void, Load_error> load(std::span<std::byte const> bytes);

    bool loaded() const { return policy_.has_value(); }
    Policy_view const &policy() const { return *policy_; } // precondition: loaded()
    uint64_t generation() const { return generation_; }

    // Revokes every cached decision without changing the policy.
    void revoke_all() { ++generation_; }

    // Cached decisions; the cache is the caller's (e.g. the requesting domain's).
    Decision share(Decision_cache &cache, uint32_t a, uint32_t b) const;
    Decision use(Decision_cache &cache, uint32_t domain, uint32_t resource) const;
    Decision coexist(Decision_cache &cache, uint32_t a, uint32_t b) const;

  private:
    template <typename F>
    Decision cached(Decision_cache &cache, Op op, uint32_t a, uint32_t b, F const &decide) const;

    std::optional<Policy_view> policy_;
    uint64_t generation_ = 1;
};

// Across a policy change: the label of `to` that label `l` of `from` becomes. A label of `to`
// whose Name@from names l's name wins; otherwise the label with the same name; else none.
std::optional<uint32_t> carry_label(Policy_view const &from, uint32_t l, Policy_view const &to);

// Whether an existing channel between labels a and b of `from` would be refused under `to`
// (also when either label disappears).
bool share_revoked(Policy_view const &from, uint32_t a, uint32_t b, Policy_view const &to);

} // namespace hv::acm
