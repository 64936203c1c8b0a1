// SPDX-License-Identifier: MIT
// PCR selection parsing and PCR comparison.
#include "vtpm/pcr.hpp"

#include <algorithm>
#include <charconv>

namespace dom::vtpm
{

static bool parse_index(std::string const &s, unsigned &out)
{
    if (s.empty() || s.size() > 2)
        return false;
    auto const r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size() && out < 24;
}

Result<Pcr_selection> Pcr_selection::parse(std::string const &text)
{
    Pcr_selection sel;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto const comma = std::min(text.find(',', pos), text.size());
        auto const item = text.substr(pos, comma - pos);
        auto const dash = item.find('-');
        unsigned lo = 0, hi = 0;
        bool ok = dash == std::string::npos
                      ? parse_index(item, lo) && parse_index(item, hi)
                      : parse_index(item.substr(0, dash), lo) &&
                            parse_index(item.substr(dash + 1), hi) && lo <= hi;
        if (!ok)
            return fail(Errc::BAD_INPUT, "PCR list '" + text + "': bad item '" + item +
                                             "' (want indices 0-23 or ranges like 7-9)");
        for (unsigned i = lo; i <= hi; ++i)
            sel.pcrs.push_back(i);
        pos = comma + 1;
    }
    std::sort(sel.pcrs.begin(), sel.pcrs.end());
    sel.pcrs.erase(std::unique(sel.pcrs.begin(), sel.pcrs.end()), sel.pcrs.end());
    return sel;
}

std::string Pcr_selection::to_string() const
{
    std::string s;
    for (auto const p : pcrs) {
        if (!s.empty())
            s += ',';
        s += std::to_string(p);
    }
    return s;
}

std::vector<unsigned> differing_pcrs(Pcr_values const &expected, Pcr_values const &actual)
{
    std::vector<unsigned> out;
    for (auto const &[pcr, value] : expected) {
        auto const it = actual.find(pcr);
        if (it == actual.end() || it->second != value)
            out.push_back(pcr);
    }
    return out;
}

std::string describe_pcr_mismatch(Pcr_values const &expected, Pcr_values const &actual)
{
    auto const diff = differing_pcrs(expected, actual);
    if (diff.empty())
        return "no PCR differs";
    std::string s = diff.size() == 1 ? "PCR " : "PCRs ";
    for (std::size_t i = 0; i < diff.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(diff[i]);
    }
    s += diff.size() == 1 ? " differs" : " differ";
    s += " from the configuration the manager key is sealed to (";
    for (std::size_t i = 0; i < diff.size(); ++i) {
        auto const p = diff[i];
        auto const it = actual.find(p);
        if (i)
            s += "; ";
        s += "PCR " + std::to_string(p) + ": sealed " + to_hex(expected.at(p)).substr(0, 16) +
             "..., now " +
             (it == actual.end() ? std::string("unreadable")
                                 : to_hex(it->second).substr(0, 16) + "...");
    }
    return s + ")";
}

} // namespace dom::vtpm
