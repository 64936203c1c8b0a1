// SPDX-License-Identifier: MIT
// ward::policy::Policy: XML or binary in, the hypervisor's loader and decisions underneath.
#include "ward/policy/policy.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "hv/acm/binary_format.hpp"
#include "plan.hpp"
#include "xml_reader.hpp"

namespace ward::policy
{

using hv::acm::Decision;
using hv::acm::Reason;

std::string Error::to_string() const
{
    std::string s = file.empty() ? "<memory>" : file;
    if (line > 0) {
        s += ":" + std::to_string(line);
        if (column > 0)
            s += ":" + std::to_string(column);
    }
    s += ": ";
    if (!element.empty())
        s += "<" + element + ">: ";
    return s + message;
}

std::string colour_hex(uint32_t rgb)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%06x", rgb & 0xffffff);
    return buf;
}

std::string to_string(hv::acm::Name n)
{
    return std::string{n.data, n.size};
}

namespace
{

hv::acm::Name as_name(std::string_view s)
{
    return hv::acm::Name{s.data(), static_cast<uint32_t>(s.size())};
}

std::string quoted_list(std::vector<std::string> const &v)
{
    if (v.empty())
        return "none";
    std::string s;
    for (auto const &x : v)
        s += (s.empty() ? "'" : ", '") + x + "'";
    return s;
}

} // namespace

hv::Result<Policy, Error> Policy::from_xml(std::string_view xml, std::string const &file)
{
    auto const src = HV_TRY(detail::read_xml(xml, file));
    auto const plan = HV_TRY(detail::check(src));
    return from_binary(detail::write(plan), file);
}

hv::Result<Policy, Error> Policy::from_binary(std::vector<std::byte> bytes, std::string const &file)
{
    auto shared = std::make_shared<std::vector<std::byte> const>(std::move(bytes));
    auto const view = hv::acm::Policy_view::load(*shared);
    if (!view)
        return hv::unexpected(
            Error{file, 0, 0, "",
                  std::string{"refused binary policy: "} + hv::acm::describe(view.error())});
    return Policy{std::move(shared), *view};
}

hv::Result<Policy, Error> Policy::load_file(std::string const &path)
{
    std::ifstream in{path, std::ios::binary};
    if (!in)
        return hv::unexpected(Error{path, 0, 0, "", "cannot open file"});
    std::string data{std::istreambuf_iterator<char>(in), {}};
    if (in.bad())
        return hv::unexpected(Error{path, 0, 0, "", "cannot read file"});
    if (data.empty())
        return hv::unexpected(Error{path, 0, 0, "", "empty file: neither XML nor a binary policy"});
    // XML starts with '<' after an optional byte-order mark and whitespace; anything else is
    // handed to the binary loader, so a damaged binary is reported as one (bad magic...).
    size_t at = data.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (at < data.size() &&
           (data[at] == ' ' || data[at] == '\t' || data[at] == '\n' || data[at] == '\r'))
        ++at;
    if (at >= data.size() || data[at] != '<') {
        std::vector<std::byte> bytes(data.size());
        for (size_t i = 0; i < data.size(); ++i)
            bytes[i] = static_cast<std::byte>(data[i]);
        return from_binary(std::move(bytes), path);
    }
    return from_xml(data, path);
}

std::string Policy::name() const
{
    return to_string(view_.name());
}

std::string Policy::version() const
{
    return std::to_string(view_.version_major()) + "." + std::to_string(view_.version_minor());
}

std::string Policy::digest_hex() const
{
    std::string s;
    char buf[3];
    for (uint8_t const b : view_.digest()) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
    }
    return s;
}

std::string Policy::bootstrap_label() const
{
    return to_string(view_.label_name(view_.bootstrap_label()));
}

std::vector<std::string> Policy::label_names() const
{
    std::vector<std::string> out;
    out.reserve(view_.label_count());
    for (uint32_t i = 0; i < view_.label_count(); ++i)
        out.push_back(to_string(view_.label_name(i)));
    return out;
}

std::optional<uint32_t> Policy::label_index(std::string_view name) const
{
    return view_.find_label(as_name(name));
}

Label_info Policy::label_at(uint32_t l) const
{
    Label_info info;
    info.name = to_string(view_.label_name(l));
    info.kind =
        view_.label_kind(l) == hv::acm::Label_kind::VM ? Label_kind::VM : Label_kind::RESOURCE;
    auto const ste = view_.label_ste(l);
    for (uint32_t i = 0; i < ste.size(); ++i)
        info.ste_types.push_back(to_string(view_.ste_type_name(ste[i])));
    auto const cw = view_.label_cw(l);
    for (uint32_t i = 0; i < cw.size(); ++i)
        info.cw_types.push_back(to_string(view_.cw_type_name(cw[i])));
    info.colour = view_.label_colour(l);
    if (auto const from = view_.label_from(l))
        info.renamed_from = to_string(*from);
    return info;
}

std::optional<Label_info> Policy::label(std::string_view name) const
{
    auto const l = label_index(name);
    if (!l)
        return std::nullopt;
    return label_at(*l);
}

std::optional<uint32_t> Policy::colour(std::string_view label) const
{
    auto const l = label_index(label);
    if (!l)
        return std::nullopt;
    return view_.label_colour(*l);
}

std::vector<std::string> Policy::coalitions(std::string_view label) const
{
    auto const info = this->label(label);
    return info ? info->ste_types : std::vector<std::string>{};
}

hv::Result<Verdict, Error> Policy::decide(std::string_view a, std::string_view b) const
{
    auto const la = label_index(a);
    auto const lb = label_index(b);
    for (auto const &[idx, name] : {std::pair{la, a}, std::pair{lb, b}})
        if (!idx)
            return hv::unexpected(Error{"", 0, 0, "",
                                        "unknown label '" + std::string{name} + "' in policy '" +
                                            this->name() + "'"});
    Label_info const ia = label_at(*la), ib = label_at(*lb);
    bool const ra = ia.kind == Label_kind::RESOURCE, rb = ib.kind == Label_kind::RESOURCE;
    std::string const qa = "'" + ia.name + "'", qb = "'" + ib.name + "'";
    Verdict v;

    // STE: domain-domain sharing, or domain-resource use.
    if (ra && rb) {
        v.share = Decision::deny(Reason::NOT_A_DOMAIN);
        v.share_lines.push_back("both " + qa + " and " + qb +
                                " are resource labels; only domains share or use");
    } else {
        v.share = ra   ? hv::acm::decide_use(view_, *lb, *la)
                  : rb ? hv::acm::decide_use(view_, *la, *lb)
                       : hv::acm::decide_share(view_, *la, *lb);
        std::string const what = ra || rb ? "use" : "share";
        if (v.share.allow)
            v.share_lines.push_back("share: " + qa + " and " + qb + " may " + what +
                                    " through STE type '" +
                                    to_string(view_.ste_type_name(v.share.type_a)) + "'" +
                                    (ra || rb ? " (domain using a resource)" : ""));
        else
            v.share_lines.push_back("share: " + qa + " and " + qb +
                                    " have no STE type in common, so they may not " + what);
        v.share_lines.push_back("  STE types of " + qa + ": " + quoted_list(ia.ste_types));
        v.share_lines.push_back("  STE types of " + qb + ": " + quoted_list(ib.ste_types));
    }

    // Chinese Wall: only domains run.
    if (ra || rb) {
        v.coexist = Decision{true, Reason::NO_CONFLICT};
        v.coexist_lines.push_back("coexist: resources do not run; the Chinese Wall applies to "
                                  "domains only");
        return v;
    }
    v.coexist = hv::acm::decide_coexist(view_, *la, *lb);
    if (v.coexist.allow)
        v.coexist_lines.push_back("coexist: no conflict set holds a Chinese Wall type of " + qa +
                                  " together with a different one of " + qb);
    else
        v.coexist_lines.push_back("coexist: " + qa + " holds Chinese Wall type '" +
                                  to_string(view_.cw_type_name(v.coexist.type_a)) + "' and " + qb +
                                  " holds '" + to_string(view_.cw_type_name(v.coexist.type_b)) +
                                  "', both in conflict set '" +
                                  to_string(view_.conflict_set_name(v.coexist.set)) + "'");
    v.coexist_lines.push_back("  Chinese Wall types of " + qa + ": " + quoted_list(ia.cw_types));
    v.coexist_lines.push_back("  Chinese Wall types of " + qb + ": " + quoted_list(ib.cw_types));
    return v;
}

} // namespace ward::policy
