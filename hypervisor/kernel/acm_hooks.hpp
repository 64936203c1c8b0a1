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
#include "hv/result.hpp"
#include "kernel/domain.hpp"

namespace hv::kernel
{

// True for a module whose command line holds the token `type=policy`.
bool is_policy_module(std::span<char const> cmdline);

// Loads the first policy module (copied into hypervisor memory). A bad policy is logged and
// refused; the built-in policy then stays in force.
void acm_init(mb2::Info const &info);

// Why acm_reload refused a policy (logged; the policy in force stays).
enum class Reload_error : uint8_t
{
    TOO_BIG,       // over POLICY_MAX bytes
    INVALID,       // the loader refused it (digest, structure, ...)
    WALL_CONFLICT, // two running domains may not run together under its Chinese Wall rules
};

struct Reload_report
{
    uint32_t revoked = 0;    // event channels and grant mappings revoked
    uint32_t unlabelled = 0; // running domains whose label the new policy lacks
};

inline constexpr size_t POLICY_MAX = 64 * 1024;

// Loads a new binary policy at run time (docs/policy.md "Reloading the policy"): verified
// completely first, refused when running domains would break its Chinese Wall rules; then the
// switch (running domains relabelled, decision cache flushed, generation bumped, Chinese Wall
// state rebuilt) and the revocation of every event channel and grant mapping it forbids
// (channels_policy_changed). `by` (may be null) is named in the log.
Result<Reload_report, Reload_error> acm_reload(std::span<std::byte const> bytes,
                                               Domain const *by = nullptr);

// The Chinese Wall check for a domain about to run; counts its types as running when allowed.
// Sets `label_index` (the label in the policy, or NO_LABEL under the built-in policy).
bool acm_admit(Domain const &d, uint32_t &label_index);
void acm_release(Domain const &d, uint32_t label_index);

// The STE share decision between two domains, cached; a denial is logged with both labels and
// `what` (e.g. "event channel bind").
bool acm_share(Domain const &a, Domain const &b, char const *what);

// Whether an existing channel between two domains stays allowed by the policy in force (no
// log, no cache): the revocation pass after a reload.
bool acm_link_allowed(Domain const &a, Domain const &b);

uint64_t acm_generation();

} // namespace hv::kernel
