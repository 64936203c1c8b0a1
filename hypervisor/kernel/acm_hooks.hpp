// SPDX-License-Identifier: MIT
// The hypervisor's calls into the ACM decision engine (hypervisor/acm, docs/policy.md §5;
// docs/channels.md "ACM checks"): the binary policy from the boot module with `type=policy`,
// the STE share decision before every interdomain bind and grant map, the Chinese Wall check
// when a domain starts. Without a policy module Ward enforces a built-in policy: two domains may
// share only when their labels are equal (fail closed; see docs/channels.md).
#pragma once

#include <cstdint>
#include <span>

#include "hv/multiboot2.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// True for a module whose command line holds the token `type=policy`.
bool is_policy_module(std::span<char const> cmdline);

// Loads the first policy module (copied into hypervisor memory). A bad policy is logged and
// refused; the built-in policy then stays in force.
void acm_init(mb2::Info const &info);

// Loads a new binary policy: cached decisions are revoked (Guard generation), running domains
// are relabelled and the Chinese Wall state rebuilt. False (and a log line) if refused.
bool acm_reload(std::span<std::byte const> bytes);

// The Chinese Wall check for a domain about to run; counts its types as running when allowed.
// Sets `label_index` (the label in the policy, or NO_LABEL under the built-in policy).
bool acm_admit(Domain const &d, uint32_t &label_index);
void acm_release(Domain const &d, uint32_t label_index);

// The STE share decision between two domains, cached; a denial is logged with both labels and
// `what` (e.g. "event channel bind").
bool acm_share(Domain const &a, Domain const &b, char const *what);

uint64_t acm_generation();

} // namespace hv::kernel
