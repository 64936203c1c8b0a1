// SPDX-License-Identifier: MIT
#include "path.hpp"

namespace dom::store
{

std::string domain_path(uint32_t domid)
{
    return "/local/domain/" + std::to_string(domid);
}

namespace
{

bool valid_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '/' || c == '_' || c == '@';
}

bool valid_chars(std::string_view p)
{
    char prev = 0;
    for (char const c : p) {
        if (!valid_char(c) || (c == '/' && prev == '/'))
            return false;
        prev = c;
    }
    return true;
}

} // namespace

hv::Result<std::string, Err> resolve_path(std::string_view path, uint32_t domid)
{
    if (path.empty())
        return hv::unexpected(Err::INVAL);
    if (!valid_chars(path))
        return hv::unexpected(Err::INVAL);
    if (path.front() == '/') {
        if (path.size() > 1 && path.back() == '/')
            return hv::unexpected(Err::INVAL);
        if (path.size() > ABS_PATH_MAX)
            return hv::unexpected(Err::TOOBIG);
        return std::string{path};
    }
    if (path.back() == '/')
        return hv::unexpected(Err::INVAL);
    if (path.size() > REL_PATH_MAX)
        return hv::unexpected(Err::TOOBIG);
    std::string full = domain_path(domid);
    full += '/';
    full += path;
    return full;
}

bool special_path(std::string_view path)
{
    for (std::string_view const s :
         {std::string_view{"@introduceDomain"}, std::string_view{"@releaseDomain"}}) {
        if (path == s)
            return true;
        if (path.size() > s.size() + 1 && path.substr(0, s.size()) == s && path[s.size()] == '/')
            return parse_u32(path.substr(s.size() + 1)).has_value();
    }
    return false;
}

bool path_within(std::string_view node, std::string_view base)
{
    if (base == "/")
        return !node.empty() && node.front() == '/';
    if (node.size() < base.size() || node.substr(0, base.size()) != base)
        return false;
    return node.size() == base.size() || node[base.size()] == '/';
}

unsigned path_depth(std::string_view path)
{
    unsigned n = 0;
    for (char const c : path)
        n += c == '/';
    return path == "/" ? 0 : n;
}

std::string_view parent_path(std::string_view path)
{
    auto const slash = path.rfind('/');
    return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}

std::string_view base_name(std::string_view path)
{
    return path.substr(path.rfind('/') + 1);
}

std::string child_path(std::string_view parent, std::string_view name)
{
    std::string p{parent};
    if (p != "/")
        p += '/';
    p += name;
    return p;
}

hv::Result<uint32_t, Err> parse_u32(std::string_view s)
{
    if (s.empty() || s.size() > 10)
        return hv::unexpected(Err::INVAL);
    uint64_t v = 0;
    for (char const c : s) {
        if (c < '0' || c > '9')
            return hv::unexpected(Err::INVAL);
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > UINT32_MAX)
        return hv::unexpected(Err::INVAL);
    return static_cast<uint32_t>(v);
}

} // namespace dom::store
