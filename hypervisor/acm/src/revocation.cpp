// SPDX-License-Identifier: MIT
// Relabelling, Chinese Wall conflicts and revocation plans for a policy reload; see
// revocation.hpp.
#include "hv/acm/revocation.hpp"

namespace hv::acm
{

uint32_t relabel(Policy_view const *from, uint32_t old_label, Name name, Policy_view const &to)
{
    std::optional<uint32_t> l;
    if (from != nullptr)
        l = old_label == NO_LABEL ? std::nullopt : carry_label(*from, old_label, to);
    else
        l = to.find_label(name);
    if (!l || to.label_kind(*l) != Label_kind::VM)
        return NO_LABEL;
    return *l;
}

std::optional<Wall_conflict> first_wall_conflict(Policy_view const &p,
                                                 std::span<uint32_t const> labels)
{
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] == NO_LABEL)
            continue;
        for (size_t j = i + 1; j < labels.size(); ++j) {
            if (labels[j] == NO_LABEL)
                continue;
            Decision const d = decide_coexist(p, labels[i], labels[j]);
            if (!d.allow)
                return Wall_conflict{i, j, d};
        }
    }
    return std::nullopt;
}

bool link_survives(Policy_view const &p, uint32_t a, uint32_t b)
{
    if (a == NO_LABEL || b == NO_LABEL)
        return false;
    return decide_share(p, a, b).allow;
}

uint32_t plan_revocation(Policy_view const &p, std::span<Channel const> links,
                         std::span<bool> revoke)
{
    uint32_t n = 0;
    for (size_t i = 0; i < links.size() && i < revoke.size(); ++i) {
        revoke[i] = !link_survives(p, links[i].a, links[i].b);
        n += revoke[i] ? 1 : 0;
    }
    return n;
}

} // namespace hv::acm
