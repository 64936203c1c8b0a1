// SPDX-License-Identifier: MIT
#include "perms.hpp"

#include "path.hpp"

namespace dom::store
{

hv::Result<Perm, Err> parse_perm(std::string_view s)
{
    if (s.size() < 2)
        return hv::unexpected(Err::INVAL);
    uint8_t access = 0;
    switch (s.front()) {
    case 'n': access = ACCESS_NONE; break;
    case 'r': access = ACCESS_READ; break;
    case 'w': access = ACCESS_WRITE; break;
    case 'b': access = ACCESS_BOTH; break;
    default: return hv::unexpected(Err::INVAL);
    }
    auto const id = HV_TRY(parse_u32(s.substr(1)));
    if (id > 0xffff)
        return hv::unexpected(Err::INVAL);
    return Perm{id, access};
}

void format_perms(Perms const &perms, std::string &out)
{
    static constexpr char letters[] = {'n', 'r', 'w', 'b'};
    for (Perm const &p : perms) {
        out += letters[p.access & ACCESS_BOTH];
        out += std::to_string(p.domid);
        out += '\0';
    }
}

uint8_t access_for(Caller const &caller, Perms const &perms)
{
    if (caller.privileged)
        return ACCESS_BOTH | ACCESS_OWNER;
    if (perms.empty())
        return ACCESS_NONE;
    auto const matches = [&](uint32_t id) {
        return id == caller.domid || (caller.target && id == *caller.target);
    };
    if (matches(perms.front().domid))
        return ACCESS_BOTH | ACCESS_OWNER;
    for (size_t i = 1; i < perms.size(); ++i)
        if (matches(perms[i].domid))
            return perms[i].access;
    return perms.front().access;
}

} // namespace dom::store
