// SPDX-License-Identifier: MIT
// `ward-policy diff A B`: which permissions of policy A policy B would revoke. Labels carry
// over by Name@from first, then by name (the rule of hv::acm::carry_label).
#include <map>
#include <sstream>

#include "ward/policy/report.hpp"

namespace ward::policy
{
namespace
{

using hv::acm::Policy_view;

// For each label of `from`, its label in `to`, if any.
std::vector<std::optional<uint32_t>> carry_all(Policy_view const &from, Policy_view const &to)
{
    std::map<std::string, uint32_t> renamed;
    for (uint32_t i = 0; i < to.label_count(); ++i)
        if (auto const f = to.label_from(i))
            renamed.emplace(to_string(*f), i);
    std::vector<std::optional<uint32_t>> out(from.label_count());
    for (uint32_t l = 0; l < from.label_count(); ++l) {
        std::string const name = to_string(from.label_name(l));
        if (auto const it = renamed.find(name); it != renamed.end()) {
            out[l] = it->second;
            continue;
        }
        auto const same = to.find_label(from.label_name(l));
        if (same && !to.label_from(*same))
            out[l] = same;
    }
    return out;
}

std::string name(Policy_view const &v, uint32_t l)
{
    return "'" + to_string(v.label_name(l)) + "'";
}

} // namespace

Diff diff(Policy const &a, Policy const &b)
{
    Policy_view const &va = a.view();
    Policy_view const &vb = b.view();
    auto const map = carry_all(va, vb);
    std::ostringstream o;
    size_t lost = 0, share = 0, use = 0, coexist = 0, granted = 0;
    o << "from: " << a.name() << " " << a.version() << "\n";
    o << "to:   " << b.name() << " " << b.version() << "\n";
    for (uint32_t l = 0; l < va.label_count(); ++l) {
        if (!map[l]) {
            o << "label removed: " << name(va, l) << " (every permission it had is revoked)\n";
            ++lost;
        } else if (to_string(va.label_name(l)) != to_string(vb.label_name(*map[l]))) {
            o << "label renamed: " << name(va, l) << " -> " << name(vb, *map[l]) << "\n";
        }
    }
    for (uint32_t i = 0; i < va.label_count(); ++i) {
        if (!map[i])
            continue;
        for (uint32_t j = i; j < va.label_count(); ++j) {
            if (!map[j])
                continue;
            bool const ri = va.label_kind(i) == hv::acm::Label_kind::RESOURCE;
            bool const rj = va.label_kind(j) == hv::acm::Label_kind::RESOURCE;
            if (ri && rj)
                continue;
            uint32_t const d = ri ? j : i, r = ri ? i : j; // domain first when one is a resource
            auto const before =
                ri || rj ? hv::acm::decide_use(va, d, r) : hv::acm::decide_share(va, i, j);
            auto const after = ri || rj ? hv::acm::decide_use(vb, *map[d], *map[r])
                                        : hv::acm::decide_share(vb, *map[i], *map[j]);
            char const *const what = ri || rj ? "use" : "share";
            if (before.allow && !after.allow) {
                o << what << " revoked: " << name(va, d) << " <-> " << name(va, r)
                  << " (was through STE type '" << to_string(va.ste_type_name(before.type_a))
                  << "'; no common STE type in the new policy)\n";
                ++(ri || rj ? use : share);
            } else if (!before.allow && after.allow) {
                o << what << " granted: " << name(va, d) << " <-> " << name(va, r)
                  << " (through STE type '" << to_string(vb.ste_type_name(after.type_a)) << "')\n";
                ++granted;
            }
            if (ri || rj)
                continue;
            auto const cw_before = hv::acm::decide_coexist(va, i, j);
            auto const cw_after = hv::acm::decide_coexist(vb, *map[i], *map[j]);
            if (cw_before.allow && !cw_after.allow) {
                o << "coexist revoked: " << name(va, i) << " <-> " << name(va, j)
                  << " (conflict set '" << to_string(vb.conflict_set_name(cw_after.set))
                  << "' separates '" << to_string(vb.cw_type_name(cw_after.type_a)) << "' and '"
                  << to_string(vb.cw_type_name(cw_after.type_b)) << "')\n";
                ++coexist;
            } else if (!cw_before.allow && cw_after.allow) {
                o << "coexist granted: " << name(va, i) << " <-> " << name(va, j) << "\n";
                ++granted;
            }
        }
    }
    Diff out;
    out.revoked = lost + share + use + coexist;
    o << "revoked: " << out.revoked << " (labels " << lost << ", share " << share << ", use " << use
      << ", coexist " << coexist << "); granted: " << granted << "\n";
    out.text = o.str();
    return out;
}

} // namespace ward::policy
