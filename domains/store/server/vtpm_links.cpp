// SPDX-License-Identifier: MIT
#include "vtpm_links.hpp"

#include <cctype>

namespace dom::store
{

std::vector<Vtpm_link> parse_vtpm_links(std::string_view cmdline)
{
    std::vector<Vtpm_link> out;
    auto const name_ok = [](std::string_view n) {
        if (n.empty() || n.size() > 31)
            return false;
        for (char const c : n)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
                return false;
        return true;
    };
    std::size_t at = 0;
    while (at < cmdline.size()) {
        auto const end = cmdline.find_first_of(" \t\n", at);
        auto const tok = cmdline.substr(at, end == std::string_view::npos ? end : end - at);
        at = end == std::string_view::npos ? cmdline.size() : end + 1;
        constexpr std::string_view KEY = "ward.vtpm=";
        if (tok.substr(0, KEY.size()) != KEY)
            continue;
        auto const v = tok.substr(KEY.size());
        auto const colon = v.find(':');
        if (colon == std::string_view::npos)
            continue;
        auto const f = v.substr(0, colon), b = v.substr(colon + 1);
        if (name_ok(f) && name_ok(b) && f != b)
            out.push_back({std::string{f}, std::string{b}});
    }
    return out;
}

} // namespace dom::store
