// SPDX-License-Identifier: MIT
// Chinese Wall running-type counts; see running_types.hpp.
#include "hv/acm/running_types.hpp"

#include <limits>

namespace hv::acm
{

Result<Running_types, Track_error> Running_types::create(Policy_view const &p,
                                                         std::span<uint32_t> counts)
{
    if (counts.size() < p.cw_type_count())
        return unexpected(Track_error::TOO_SMALL);
    for (auto &c : counts)
        c = 0;
    return Running_types{p, counts.first(p.cw_type_count())};
}

bool Running_types::vm_label(uint32_t label) const
{
    return label < p_.label_count() && p_.label_kind(label) == Label_kind::VM;
}

Decision Running_types::may_start(uint32_t label) const
{
    if (!vm_label(label))
        return Decision::deny(label < p_.label_count() ? Reason::NOT_A_DOMAIN : Reason::BAD_LABEL);
    Index_list const mine = p_.label_cw(label);
    for (uint32_t i = 0; i < mine.size(); ++i) {
        uint16_t const t = mine[i];
        Index_list const sets = p_.cw_type_sets(t);
        for (uint32_t k = 0; k < sets.size(); ++k) {
            Index_list const members = p_.conflict_set_types(sets[k]);
            for (uint32_t j = 0; j < members.size(); ++j) {
                uint16_t const u = members[j];
                if (u != t && counts_[u] > 0)
                    return Decision{false, Reason::CONFLICT, t, u, sets[k]};
            }
        }
    }
    return Decision{true, Reason::NO_CONFLICT};
}

Decision Running_types::start(uint32_t label)
{
    Decision const d = may_start(label);
    if (d.allow && !add_running(label))
        return Decision::deny(Reason::BAD_LABEL);
    return d;
}

Result<void, Track_error> Running_types::add_running(uint32_t label)
{
    if (!vm_label(label))
        return unexpected(Track_error::BAD_LABEL);
    Index_list const mine = p_.label_cw(label);
    for (uint32_t i = 0; i < mine.size(); ++i)
        if (counts_[mine[i]] == std::numeric_limits<uint32_t>::max())
            return unexpected(Track_error::OVERFLOW);
    for (uint32_t i = 0; i < mine.size(); ++i)
        ++counts_[mine[i]];
    return ok;
}

Result<void, Track_error> Running_types::stop(uint32_t label)
{
    if (!vm_label(label))
        return unexpected(Track_error::BAD_LABEL);
    Index_list const mine = p_.label_cw(label);
    for (uint32_t i = 0; i < mine.size(); ++i)
        if (counts_[mine[i]] == 0)
            return unexpected(Track_error::NOT_RUNNING);
    for (uint32_t i = 0; i < mine.size(); ++i)
        --counts_[mine[i]];
    return ok;
}

} // namespace hv::acm
