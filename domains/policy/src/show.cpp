// SPDX-License-Identifier: MIT
// `ward-policy show` and `explain`: readable texts over a loaded policy.
#include <sstream>

#include "ward/policy/report.hpp"

namespace ward::policy
{
namespace
{

std::string joined(std::vector<std::string> const &v)
{
    std::string s;
    for (auto const &x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? "-" : s;
}

} // namespace

std::string show(Policy const &p)
{
    auto const &v = p.view();
    std::ostringstream o;
    o << "policy: " << p.name() << " version " << p.version() << "\n";
    o << "digest: sha256:" << p.digest_hex() << "\n";
    o << "size: " << p.binary().size() << " bytes\n";
    o << "bootstrap label: " << p.bootstrap_label() << "\n";
    o << "STE types (coalitions): " << v.ste_type_count() << "\n";
    for (uint32_t t = 0; t < v.ste_type_count(); ++t) {
        o << "  " << to_string(v.ste_type_name(t));
        if (auto const c = v.ste_type_colour(t))
            o << "  colour " << colour_hex(*c);
        o << "\n";
    }
    o << "Chinese Wall types: " << v.cw_type_count() << "\n";
    for (uint32_t t = 0; t < v.cw_type_count(); ++t) {
        std::vector<std::string> sets;
        auto const l = v.cw_type_sets(t);
        for (uint32_t i = 0; i < l.size(); ++i)
            sets.push_back(to_string(v.conflict_set_name(l[i])));
        o << "  " << to_string(v.cw_type_name(t)) << "  conflict sets: " << joined(sets) << "\n";
    }
    o << "conflict sets: " << v.conflict_set_count() << "\n";
    for (uint32_t s = 0; s < v.conflict_set_count(); ++s) {
        std::vector<std::string> types;
        auto const l = v.conflict_set_types(s);
        for (uint32_t i = 0; i < l.size(); ++i)
            types.push_back(to_string(v.cw_type_name(l[i])));
        o << "  " << to_string(v.conflict_set_name(s)) << ": " << joined(types) << "\n";
    }
    o << "labels: " << v.label_count() << "\n";
    for (uint32_t l = 0; l < v.label_count(); ++l) {
        Label_info const i = p.label_at(l);
        o << "  " << (i.kind == Label_kind::VM ? "vm  " : "res ") << i.name
          << "  ste: " << joined(i.ste_types);
        if (i.kind == Label_kind::VM)
            o << "  cw: " << joined(i.cw_types);
        if (i.colour)
            o << "  colour " << colour_hex(*i.colour);
        if (i.renamed_from)
            o << "  renamed from " << *i.renamed_from;
        if (l == v.bootstrap_label())
            o << "  [bootstrap]";
        o << "\n";
    }
    return o.str();
}

hv::Result<std::string, Error> explain(Policy const &p, std::string const &a, std::string const &b)
{
    Verdict const v = HV_TRY(p.decide(a, b));
    std::string s = std::string{"share: "} + (v.share.allow ? "allow" : "deny") + "\n";
    s += std::string{"coexist: "} + (v.coexist.allow ? "allow" : "deny") + "\n";
    for (auto const &l : v.share_lines)
        s += l + "\n";
    for (auto const &l : v.coexist_lines)
        s += l + "\n";
    return s;
}

} // namespace ward::policy
