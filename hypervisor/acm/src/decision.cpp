// SPDX-License-Identifier: MIT
// STE and Chinese Wall decisions; see decision.hpp.
#include "hv/acm/decision.hpp"

namespace hv::acm
{
namespace
{

// The first common entry of two ascending lists (a merge walk), or NO_INDEX.
uint16_t first_common(Index_list const &x, Index_list const &y)
{
    uint32_t i = 0, j = 0;
    while (i < x.size() && j < y.size()) {
        uint16_t const a = x[i], b = y[j];
        if (a == b)
            return a;
        if (a < b)
            ++i;
        else
            ++j;
    }
    return NO_INDEX;
}

Decision ste(Policy_view const &p, uint32_t a, uint32_t b)
{
    uint16_t const t = first_common(p.label_ste(a), p.label_ste(b));
    if (t == NO_INDEX)
        return Decision::deny(Reason::NO_COMMON_TYPE);
    return Decision{true, Reason::COMMON_TYPE, t};
}

} // namespace

char const *describe(Reason r)
{
    switch (r) {
    case Reason::COMMON_TYPE: return "common STE type";
    case Reason::NO_COMMON_TYPE: return "no common STE type";
    case Reason::NO_CONFLICT: return "no conflict set separates them";
    case Reason::CONFLICT: return "Chinese Wall conflict";
    case Reason::BAD_LABEL: return "unknown label";
    case Reason::NOT_A_DOMAIN: return "not a virtual-machine label";
    case Reason::NOT_A_RESOURCE: return "not a resource label";
    case Reason::NO_POLICY: return "no policy loaded";
    }
    return "unknown reason";
}

Decision decide_share(Policy_view const &p, uint32_t a, uint32_t b)
{
    if (a >= p.label_count() || b >= p.label_count())
        return Decision::deny(Reason::BAD_LABEL);
    if (p.label_kind(a) != Label_kind::VM || p.label_kind(b) != Label_kind::VM)
        return Decision::deny(Reason::NOT_A_DOMAIN);
    return ste(p, a, b);
}

Decision decide_use(Policy_view const &p, uint32_t d, uint32_t r)
{
    if (d >= p.label_count() || r >= p.label_count())
        return Decision::deny(Reason::BAD_LABEL);
    if (p.label_kind(d) != Label_kind::VM)
        return Decision::deny(Reason::NOT_A_DOMAIN);
    if (p.label_kind(r) != Label_kind::RESOURCE)
        return Decision::deny(Reason::NOT_A_RESOURCE);
    return ste(p, d, r);
}

Decision decide_coexist(Policy_view const &p, uint32_t a, uint32_t b)
{
    if (a >= p.label_count() || b >= p.label_count())
        return Decision::deny(Reason::BAD_LABEL);
    if (p.label_kind(a) != Label_kind::VM || p.label_kind(b) != Label_kind::VM)
        return Decision::deny(Reason::NOT_A_DOMAIN);
    Index_list const mine = p.label_cw(a);
    Index_list const theirs = p.label_cw(b);
    for (uint32_t i = 0; i < mine.size(); ++i) {
        uint16_t const t = mine[i];
        Index_list const sets = p.cw_type_sets(t);
        for (uint32_t k = 0; k < sets.size(); ++k) {
            Index_list const members = p.conflict_set_types(sets[k]);
            for (uint32_t j = 0; j < theirs.size(); ++j) {
                uint16_t const u = theirs[j];
                if (u != t && members.contains(u))
                    return Decision{false, Reason::CONFLICT, t, u, sets[k]};
            }
        }
    }
    return Decision{true, Reason::NO_CONFLICT};
}

} // namespace hv::acm
