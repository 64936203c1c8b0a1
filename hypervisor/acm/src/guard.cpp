// SPDX-License-Identifier: MIT
// The policy in force, its generation, and carrying labels across a policy change.
#include "hv/acm/guard.hpp"

namespace hv::acm
{

Result<void, Load_error> Guard::load(std::span<std::byte const> bytes)
{
    Policy_view const v = HV_TRY(Policy_view::load(bytes));
    policy_ = v;
    ++generation_;
    return ok;
}

Result<uint32_t, Load_error> Guard::reload(std::span<std::byte const> bytes,
                                           std::span<uint32_t> running_labels)
{
    Policy_view const next = HV_TRY(Policy_view::load(bytes));
    uint32_t dropped = 0;
    for (auto &l : running_labels) {
        if (l == NO_LABEL)
            continue;
        auto const carried = policy_ ? carry_label(*policy_, l, next) : std::nullopt;
        l = carried ? *carried : NO_LABEL;
        dropped += carried ? 0 : 1;
    }
    policy_ = next;
    ++generation_;
    return dropped;
}

template <typename F>
Decision Guard::cached(Decision_cache &cache, Op op, uint32_t a, uint32_t b, F const &decide) const
{
    if (!policy_)
        return Decision::deny(Reason::NO_POLICY);
    if (auto const hit = cache.lookup(generation_, op, a, b))
        return *hit;
    Decision const d = decide(*policy_, a, b);
    cache.store(generation_, op, a, b, d);
    return d;
}

Decision Guard::share(Decision_cache &cache, uint32_t a, uint32_t b) const
{
    return cached(cache, Op::SHARE, a, b, decide_share);
}

Decision Guard::use(Decision_cache &cache, uint32_t domain, uint32_t resource) const
{
    return cached(cache, Op::USE, domain, resource, decide_use);
}

Decision Guard::coexist(Decision_cache &cache, uint32_t a, uint32_t b) const
{
    return cached(cache, Op::COEXIST, a, b, decide_coexist);
}

std::optional<uint32_t> carry_label(Policy_view const &from, uint32_t l, Policy_view const &to)
{
    if (l >= from.label_count())
        return std::nullopt;
    Name const old_name = from.label_name(l);
    for (uint32_t i = 0; i < to.label_count(); ++i) {
        auto const renamed_from = to.label_from(i);
        if (renamed_from && *renamed_from == old_name)
            return i;
    }
    auto const same = to.find_label(old_name);
    // A label of `to` that was renamed from something else is not this one.
    if (same && to.label_from(*same).has_value())
        return std::nullopt;
    return same;
}

bool share_revoked(Policy_view const &from, uint32_t a, uint32_t b, Policy_view const &to)
{
    auto const na = carry_label(from, a, to);
    auto const nb = carry_label(from, b, to);
    if (!na || !nb)
        return true;
    return !decide_share(to, *na, *nb).allow;
}

uint32_t revoked_channels(Policy_view const &from, Policy_view const &to,
                          std::span<Channel const> channels, std::span<bool> revoked)
{
    uint32_t n = 0;
    for (size_t i = 0; i < channels.size() && i < revoked.size(); ++i) {
        revoked[i] = share_revoked(from, channels[i].a, channels[i].b, to);
        n += revoked[i] ? 1 : 0;
    }
    return n;
}

} // namespace hv::acm
