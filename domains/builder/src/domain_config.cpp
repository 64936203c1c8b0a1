// SPDX-License-Identifier: MIT
// Domain configuration parser.
#include "builder/domain_config.hpp"

#include <charconv>
#include <set>

namespace dom::builder
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

bool name_ok(std::string_view s)
{
    if (s.empty() || s.size() > 64 || s[0] == '.')
        return false;
    for (auto const c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    return true;
}

bool number(std::string_view s, unsigned lo, unsigned hi, unsigned &out)
{
    auto const r = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size() && out >= lo &&
           out <= hi;
}

bool printable(std::string_view s)
{
    for (auto const c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return false;
    return true;
}

} // namespace

Result<Domain_config> Domain_config::parse(std::string_view text)
{
    if (text.size() > (1u << 16))
        return vtpm::fail(Errc::BAD_INPUT, "domain config larger than 64 KiB");
    Domain_config c;
    std::set<std::string> seen;
    std::size_t pos = 0, line = 0;
    while (pos < text.size()) {
        ++line;
        auto const nl = std::min(text.find('\n', pos), text.size());
        auto const l = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        auto const bad = [&](std::string const &why) {
            return vtpm::fail(Errc::BAD_INPUT,
                              "domain config line " + std::to_string(line) + ": " + why);
        };
        if (l.empty() || l[0] == '#')
            continue;
        auto const eq = l.find('=');
        if (eq == std::string_view::npos)
            return bad("expected 'key = value'");
        std::string const key{trim(l.substr(0, eq))};
        auto const value = trim(l.substr(eq + 1));
        if (!printable(value))
            return bad("control character in value");
        if (!seen.insert(key).second)
            return bad("'" + key + "' given twice");
        if (key == "name" || key == "label") {
            if (!name_ok(value))
                return bad(key + " must be 1-64 of [A-Za-z0-9_.-], not starting with '.'");
            (key == "name" ? c.name : c.label) = value;
        } else if (key == "kernel" || key == "initramfs") {
            if (value.empty() || value.size() > 4096)
                return bad(key + " needs a path");
            (key == "kernel" ? c.kernel : c.initramfs) = value;
        } else if (key == "cmdline") {
            if (value.size() > 4096)
                return bad("cmdline longer than 4096 bytes");
            c.cmdline = value;
        } else if (key == "memory") {
            if (!number(value, 16, 1u << 20, c.memory_mib))
                return bad("memory must be a whole number of MiB, 16 to 1048576");
        } else if (key == "vcpus") {
            if (!number(value, 1, 64, c.vcpus))
                return bad("vcpus must be 1 to 64");
        } else if (key == "vtpm") {
            if (value != "yes" && value != "no")
                return bad("vtpm must be yes or no");
            c.vtpm = value == "yes";
        } else {
            return bad("unknown key '" + key +
                       "' (domain ids and addresses are assigned by the builder, not configured)");
        }
    }
    for (auto const *k : {"name", "label", "kernel", "memory"})
        if (!seen.count(k))
            return vtpm::fail(Errc::BAD_INPUT, std::string("domain config: missing '") + k + "'");
    return c;
}

std::string Domain_config::canonical_settings() const
{
    return "label=" + label + " memory=" + std::to_string(memory_mib) +
           " vcpus=" + std::to_string(vcpus) + " vtpm=" + (vtpm ? "yes" : "no");
}

} // namespace dom::builder
