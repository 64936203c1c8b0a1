// SPDX-License-Identifier: MIT
// Semantic checks of a policy read from XML, and its layout as sorted tables.
#include <algorithm>
#include <map>
#include <set>

#include "hv/acm/binary_format.hpp"
#include "plan.hpp"

namespace ward::policy::detail
{
namespace
{

namespace f = hv::acm::format;

class Checker
{
  public:
    explicit Checker(Source const &src) : src_{src} {}

    hv::Result<Plan, Error> run();

  private:
    hv::Unexpected<Error> fail(int line, std::string element, std::string msg) const
    {
        return hv::unexpected(Error{src_.file, line, 0, std::move(element), std::move(msg)});
    }
    hv::Result<std::map<std::string, uint16_t>, Error> types(std::vector<Type_def> const &defs,
                                                             char const *what);
    hv::Result<void, Error> colours();
    hv::Result<void, Error> conflicts();
    hv::Result<void, Error> labels();
    hv::Result<std::vector<uint16_t>, Error> refs(Label_def const &l, std::vector<Ref> const &r,
                                                  std::map<std::string, uint16_t> const &known,
                                                  char const *what) const;
    hv::Result<void, Error> walls(Label_def const &l, std::vector<uint16_t> const &cw) const;

    Source const &src_;
    Plan plan_;
    std::map<std::string, uint16_t> ste_index_;
    std::map<std::string, uint16_t> cw_index_;
};

// Names to their index in the sorted table; duplicates are errors.
hv::Result<std::map<std::string, uint16_t>, Error> Checker::types(std::vector<Type_def> const &defs,
                                                                  char const *what)
{
    std::map<std::string, int> first_line;
    for (auto const &t : defs) {
        auto const [it, fresh] = first_line.emplace(t.name, t.line);
        if (!fresh)
            return fail(t.line, "Type",
                        std::string{"duplicate "} + what + " type '" + t.name +
                            "' (first defined on line " + std::to_string(it->second) + ")");
    }
    if (first_line.size() > f::MAX_TYPES)
        return fail(0, "", std::string{"too many "} + what + " types (at most 65535)");
    std::map<std::string, uint16_t> index;
    uint16_t i = 0;
    for (auto const &[name, line] : first_line)
        index.emplace(name, i++);
    return index;
}

hv::Result<void, Error> Checker::colours()
{
    plan_.ste_colour.assign(plan_.ste.size(), std::nullopt);
    std::map<std::string, int> seen;
    for (auto const &c : src_.colours) {
        auto const it = ste_index_.find(c.type);
        if (it == ste_index_.end())
            return fail(c.line, "?ward-colour",
                        "ward-colour names unknown STE type '" + c.type + "'");
        auto const [prev, fresh] = seen.emplace(c.type, c.line);
        if (!fresh)
            return fail(c.line, "?ward-colour",
                        "STE type '" + c.type + "' already has a colour (line " +
                            std::to_string(prev->second) + ")");
        plan_.ste_colour[it->second] = c.rgb;
    }
    return hv::ok;
}

hv::Result<void, Error> Checker::conflicts()
{
    std::map<std::string, Plan::Set> sorted;
    for (auto const &c : src_.conflicts) {
        if (sorted.count(c.name) != 0)
            return fail(c.line, "Conflict", "duplicate conflict set '" + c.name + "'");
        Plan::Set set{c.name, {}};
        for (auto const &t : c.types) {
            auto const it = cw_index_.find(t.name);
            if (it == cw_index_.end())
                return fail(t.line, "Type",
                            "conflict set '" + c.name + "' names unknown Chinese Wall type '" +
                                t.name + "'");
            if (std::find(set.types.begin(), set.types.end(), it->second) != set.types.end())
                return fail(t.line, "Type",
                            "conflict set '" + c.name + "' lists type '" + t.name + "' twice");
            set.types.push_back(it->second);
        }
        if (set.types.size() < 2)
            return fail(c.line, "Conflict",
                        "conflict set '" + c.name + "' has " + std::to_string(set.types.size()) +
                            " type(s); a conflict set needs at least two");
        std::sort(set.types.begin(), set.types.end());
        sorted.emplace(c.name, std::move(set));
    }
    if (sorted.size() > f::MAX_CONFLICT_SETS)
        return fail(src_.conflict_sets_line, "ConflictSets", "too many conflict sets");
    plan_.cw_sets.assign(plan_.cw.size(), {});
    for (auto &[name, set] : sorted) {
        auto const s = static_cast<uint16_t>(plan_.sets.size());
        for (uint16_t const t : set.types)
            plan_.cw_sets[t].push_back(s);
        plan_.sets.push_back(std::move(set));
    }
    return hv::ok;
}

hv::Result<std::vector<uint16_t>, Error> Checker::refs(Label_def const &l,
                                                       std::vector<Ref> const &r,
                                                       std::map<std::string, uint16_t> const &known,
                                                       char const *what) const
{
    std::vector<uint16_t> out;
    for (auto const &t : r) {
        auto const it = known.find(t.name);
        if (it == known.end())
            return fail(t.line, "Type",
                        "label '" + l.name + "' names undefined " + what + " type '" + t.name +
                            "'");
        if (std::find(out.begin(), out.end(), it->second) != out.end())
            return fail(t.line, "Type",
                        "label '" + l.name + "' lists " + what + " type '" + t.name + "' twice");
        out.push_back(it->second);
    }
    return out;
}

// A label holding two types of one conflict set could never be started consistently.
hv::Result<void, Error> Checker::walls(Label_def const &l, std::vector<uint16_t> const &cw) const
{
    for (size_t i = 0; i < cw.size(); ++i)
        for (size_t j = i + 1; j < cw.size(); ++j)
            for (uint16_t const s : plan_.cw_sets[cw[i]]) {
                auto const &members = plan_.sets[s].types;
                if (std::binary_search(members.begin(), members.end(), cw[j]))
                    return fail(l.line, l.resource ? "ResourceLabel" : "VirtualMachineLabel",
                                "label '" + l.name + "' holds Chinese Wall types '" +
                                    plan_.cw[cw[i]] + "' and '" + plan_.cw[cw[j]] +
                                    "', which conflict in set '" + plan_.sets[s].name + "'");
            }
    return hv::ok;
}

hv::Result<void, Error> Checker::labels()
{
    std::map<std::string, Plan::Label> sorted;
    std::map<std::string, int> lines;
    std::map<std::string, std::string> renamed;
    for (auto const &l : src_.labels) {
        char const *const element = l.resource ? "ResourceLabel" : "VirtualMachineLabel";
        if (auto const it = lines.find(l.name); it != lines.end())
            return fail(l.line, element,
                        "duplicate label name '" + l.name + "' (first defined on line " +
                            std::to_string(it->second) + ")");
        lines.emplace(l.name, l.line);
        if (l.from) {
            auto const [it, fresh] = renamed.emplace(*l.from, l.name);
            if (!fresh)
                return fail(l.line, "Name",
                            "labels '" + it->second + "' and '" + l.name +
                                "' are both renamed from '" + *l.from + "'");
        }
        Plan::Label p{l.name, l.from, l.resource, std::nullopt, {}, {}};
        p.ste = HV_TRY(refs(l, l.ste, ste_index_, "STE"));
        p.cw = HV_TRY(refs(l, l.cw, cw_index_, "Chinese Wall"));
        if (l.resource && p.ste.size() != 1)
            return fail(l.line, element,
                        "resource label '" + l.name + "' has " + std::to_string(p.ste.size()) +
                            " STE types; a resource label has exactly one");
        HV_TRY(walls(l, p.cw));
        // The first STE type a label lists is its primary coalition; its colour is the label's.
        if (!p.ste.empty())
            p.colour = plan_.ste_colour[p.ste.front()];
        std::sort(p.ste.begin(), p.ste.end());
        std::sort(p.cw.begin(), p.cw.end());
        sorted.emplace(l.name, std::move(p));
    }
    if (sorted.size() > f::MAX_LABELS)
        return fail(src_.template_line, "SecurityLabelTemplate", "too many labels");
    for (auto &[name, l] : sorted)
        plan_.labels.push_back(std::move(l));

    auto const &b = *src_.bootstrap;
    auto const it = sorted.find(b.name);
    if (b.name.empty() || it == sorted.end())
        return fail(b.line, "SubjectLabels",
                    "missing bootstrap label: bootstrap names '" + b.name +
                        "', which is not a defined VirtualMachineLabel");
    if (it->second.resource)
        return fail(b.line, "SubjectLabels",
                    "bootstrap label '" + b.name + "' is a resource label, not a domain label");
    plan_.bootstrap = static_cast<uint32_t>(std::distance(sorted.begin(), it));
    return hv::ok;
}

hv::Result<Plan, Error> Checker::run()
{
    plan_.name = src_.name;
    plan_.major = src_.major;
    plan_.minor = src_.minor;
    ste_index_ = HV_TRY(types(src_.ste, "STE"));
    cw_index_ = HV_TRY(types(src_.cw, "Chinese Wall"));
    for (auto const &[name, i] : ste_index_)
        plan_.ste.push_back(name);
    for (auto const &[name, i] : cw_index_)
        plan_.cw.push_back(name);
    HV_TRY(colours());
    HV_TRY(conflicts());
    HV_TRY(labels());
    for (auto const *names : {&plan_.ste, &plan_.cw})
        for (auto const &n : *names)
            if (n.size() > f::MAX_NAME)
                return fail(0, "Type", "type name longer than 65535 bytes");
    if (plan_.name.size() > f::MAX_NAME)
        return fail(0, "PolicyName", "policy name longer than 65535 bytes");
    for (auto const &set : plan_.sets)
        if (set.name.size() > f::MAX_NAME)
            return fail(0, "Conflict", "conflict set name longer than 65535 bytes");
    for (auto const &l : plan_.labels)
        if (l.name.size() > f::MAX_NAME || (l.from && l.from->size() > f::MAX_NAME))
            return fail(0, "Name", "label name longer than 65535 bytes");
    return std::move(plan_);
}

} // namespace

hv::Result<Plan, Error> check(Source const &src)
{
    return Checker{src}.run();
}

} // namespace ward::policy::detail
