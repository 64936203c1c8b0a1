// SPDX-License-Identifier: MIT
// Domain configuration label lines and the resource label file; see labels.hpp.
#include "ward/policy/labels.hpp"

#include <vector>

namespace ward::policy
{
namespace
{

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> lines(std::string_view text)
{
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t const nl = std::min(text.find('\n', pos), text.size());
        out.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

// The value if `line` is "label = VALUE".
std::optional<std::string_view> label_value(std::string_view line)
{
    std::string_view const l = trim(line);
    if (l.empty() || l[0] == '#')
        return std::nullopt;
    size_t const eq = l.find('=');
    if (eq == std::string_view::npos || trim(l.substr(0, eq)) != "label")
        return std::nullopt;
    return trim(l.substr(eq + 1));
}

} // namespace

hv::Result<std::string, Error> config_label(std::string_view config, std::string const &file)
{
    int n = 0;
    for (auto const line : lines(config)) {
        ++n;
        if (auto const v = label_value(line)) {
            if (v->empty())
                return hv::unexpected(Error{file, n, 0, "", "empty label"});
            return std::string{*v};
        }
    }
    return hv::unexpected(Error{file, 0, 0, "", "no 'label = ...' line: the domain is unlabelled"});
}

std::string config_with_label(std::string_view config, std::string const &label)
{
    std::string out;
    bool set = false;
    for (auto const line : lines(config)) {
        if (label_value(line)) {
            if (!set)
                out += "label = " + label + "\n";
            set = true;
            continue;
        }
        out += std::string{line} + "\n";
    }
    if (!set)
        out += "label = " + label + "\n";
    return out;
}

hv::Result<std::string, Error> config_without_label(std::string_view config,
                                                    std::string const &file)
{
    std::string out;
    bool found = false;
    for (auto const line : lines(config)) {
        if (label_value(line)) {
            found = true;
            continue;
        }
        out += std::string{line} + "\n";
    }
    if (!found)
        return hv::unexpected(Error{file, 0, 0, "", "no 'label = ...' line to remove"});
    return out;
}

bool resource_name_ok(std::string_view r)
{
    size_t const colon = r.find(':');
    if (colon == std::string_view::npos || colon + 1 >= r.size() || r.size() > 4096)
        return false;
    std::string_view const kind = r.substr(0, colon);
    if (kind != "phy" && kind != "file" && kind != "net" && kind != "vtpm")
        return false;
    for (unsigned char const c : r)
        if (c <= 0x20 || c == 0x7f)
            return false;
    return true;
}

hv::Result<Resource_labels, Error> Resource_labels::parse(std::string_view text,
                                                          std::string const &file)
{
    Resource_labels out;
    int n = 0;
    for (auto const raw : lines(text)) {
        ++n;
        std::string_view const l = trim(raw);
        if (l.empty() || l[0] == '#')
            continue;
        size_t const space = l.find_first_of(" \t");
        if (space == std::string_view::npos)
            return hv::unexpected(Error{file, n, 0, "", "expected 'RESOURCE LABEL'"});
        std::string const resource{l.substr(0, space)};
        std::string const label{trim(l.substr(space + 1))};
        if (!resource_name_ok(resource))
            return hv::unexpected(Error{file, n, 0, "",
                                        "bad resource '" + resource +
                                            "' (phy:/dev/..., file:/path, net:NAME, vtpm:NAME)"});
        if (label.empty() || label.find_first_of(" \t") != std::string::npos)
            return hv::unexpected(Error{file, n, 0, "", "bad label for '" + resource + "'"});
        if (!out.entries_.emplace(resource, label).second)
            return hv::unexpected(
                Error{file, n, 0, "", "resource '" + resource + "' labelled twice"});
    }
    return out;
}

std::string Resource_labels::text() const
{
    std::string s = "# Ward resource labels: RESOURCE LABEL (ward-label, docs/policy.md)\n";
    for (auto const &[resource, label] : entries_)
        s += resource + " " + label + "\n";
    return s;
}

hv::Result<void, Error> check_label(Policy const &p, std::string const &label, Label_kind kind)
{
    auto const info = p.label(label);
    if (!info)
        return hv::unexpected(Error{
            "", 0, 0, "", "label '" + label + "' is not defined in policy '" + p.name() + "'"});
    if (info->kind != kind)
        return hv::unexpected(Error{
            "", 0, 0, "",
            "label '" + label + "' is a " + (info->kind == Label_kind::VM ? "domain" : "resource") +
                " label, not a " + (kind == Label_kind::VM ? "domain" : "resource") + " label"});
    return hv::ok;
}

} // namespace ward::policy
