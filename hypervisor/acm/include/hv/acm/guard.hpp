// SPDX-License-Identifier: MIT
// The policy in force and its generation: what the hypervisor's hooks call. Loading a new
// policy bumps the generation, which revokes every cached decision; a refused policy leaves the
// old one in force. Not synchronised: the caller serialises load/reload against decisions.
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

    // Replaces the policy in force and relabels the running domains: each entry of
    // `running_labels` (a label of the old policy) becomes its label in the new one, or
    // NO_LABEL when the label is gone (that domain keeps no permission). Returns how many
    // became NO_LABEL. On error nothing changes. Afterwards, rebuild Running_types from the
    // relabelled domains with add_running(). The old policy's bytes must be valid during the
    // call.
    Result<uint32_t, Load_error> reload(std::span<std::byte const> bytes,
                                        std::span<uint32_t> running_labels);

    // Installs an already verified policy (Policy_view::load) and bumps the generation: the
    // kernel's reload path, which relabels and checks the running domains itself first.
    void replace(Policy_view const &next)
    {
        policy_ = next;
        ++generation_;
    }

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

inline constexpr uint32_t NO_LABEL = 0xffffffff;

// An event channel or grant between two domains, by their labels.
struct Channel
{
    uint32_t a;
    uint32_t b;
};

// Across a policy change: the label of `to` that label `l` of `from` becomes. A label of `to`
// whose Name@from names l's name wins; otherwise the label with the same name; else none.
std::optional<uint32_t> carry_label(Policy_view const &from, uint32_t l, Policy_view const &to);

// Whether an existing channel between labels a and b of `from` would be refused under `to`
// (also when either label disappears).
bool share_revoked(Policy_view const &from, uint32_t a, uint32_t b, Policy_view const &to);

// The report of what a new policy would break: for each existing channel (labels of `from`),
// revoked[i] says whether `to` refuses it. Returns how many are revoked. `revoked` must be at
// least as long as `channels`; extra entries are left alone.
uint32_t revoked_channels(Policy_view const &from, Policy_view const &to,
                          std::span<Channel const> channels, std::span<bool> revoked);

} // namespace hv::acm
