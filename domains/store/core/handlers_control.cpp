// SPDX-License-Identifier: MIT
// Server configuration: GET_FEATURE, SET_FEATURE, GET_QUOTA, SET_QUOTA, CONTROL.
#include "../model/path.hpp"
#include "dispatch.hpp"
#include "frame.hpp"

namespace dom::store
{

namespace
{

std::string decimal(uint64_t v)
{
    std::string s = std::to_string(v);
    s += '\0';
    return s;
}

} // namespace

// "[<domid>\0]" -> features. Per-domain features are the server's (rings advertise them).
Reply do_get_feature(Ctx &ctx)
{
    auto const n = count_args(ctx.payload);
    if (ctx.payload.empty())
        return decimal(ctx.core.features());
    if (n != 1)
        return hv::unexpected(Err::INVAL);
    if (!ctx.conn.caller.privileged)
        return hv::unexpected(Err::ACCES);
    HV_TRY(parse_u32(*one_arg(ctx.payload)));
    return decimal(ctx.core.features());
}

Reply do_set_feature(Ctx &ctx)
{
    std::string_view a[2];
    if (!split_args(ctx.payload, a))
        return hv::unexpected(Err::INVAL);
    auto const domid = HV_TRY(parse_u32(a[0]));
    auto const value = HV_TRY(parse_u32(a[1]));
    // Only before INTRODUCE, and only features the server has.
    if (ctx.core.domains().contains(domid))
        return hv::unexpected(Err::BUSY);
    if (value & ~ctx.core.features())
        return hv::unexpected(Err::INVAL);
    return ok_reply();
}

// "" -> quota names; "<quota>\0" -> the global value; "<domid>\0<quota>\0" -> the domain's
// value (its own copy, or the global one it would start with). As do_get_quota in C
// xenstored's domain.c, except that any domid may be named (there is no hypervisor to ask).
Reply do_get_quota(Ctx &ctx)
{
    if (ctx.payload.empty()) {
        std::string names{QUOTA_NAMES};
        names += '\0';
        return names;
    }
    auto const n = count_args(ctx.payload);
    std::string_view a[2];
    if (!n || *n > 2 || !split_args(ctx.payload, std::span{a, *n}))
        return hv::unexpected(Err::INVAL);
    Quotas const *q = &ctx.core.quotas();
    if (*n == 2)
        q = &ctx.core.quotas_for(HV_TRY(parse_u32(a[0])));
    uint32_t const *v = q->field(a[*n - 1]);
    if (!v)
        return hv::unexpected(Err::INVAL);
    return decimal(*v);
}

// "<quota>\0<value>\0" sets the global value (the default for domains introduced later);
// "<domid>\0<quota>\0<value>\0" sets one domain's. 0 disables the check; UINT32_MAX is
// C xenstored's Q_VAL_DISABLED marker and is refused (EINVAL), as there.
Reply do_set_quota(Ctx &ctx)
{
    auto const n = count_args(ctx.payload);
    std::string_view a[3];
    if (!n || (*n != 2 && *n != 3) || !split_args(ctx.payload, std::span{a, *n}))
        return hv::unexpected(Err::INVAL);
    auto const value = HV_TRY(parse_u32(a[*n - 1]));
    if (value == UINT32_MAX || !ctx.core.quotas().field(a[*n - 2]))
        return hv::unexpected(Err::INVAL);
    if (*n == 3) // journaled: a domain's quota survives restarts (docs/store.md section 6)
        ctx.core.set_domain_quota(HV_TRY(parse_u32(a[0])), a[1], value, true);
    else
        *ctx.core.quotas_mut().field(a[0]) = value;
    return ok_reply();
}

// "check" verifies the tree's invariants; "print" and "log" are accepted no-ops; "help" lists.
Reply do_control(Ctx &ctx)
{
    auto const n = count_args(ctx.payload);
    if (!n || *n < 1)
        return hv::unexpected(Err::INVAL);
    std::string_view const cmd = ctx.payload.substr(0, ctx.payload.find('\0'));
    if (cmd == "help")
        return std::string{"check\nprint <string>\nlog\nhelp\n"} + '\0';
    if (cmd == "print" || cmd == "log")
        return ok_reply();
    if (cmd == "check") {
        bool good = true;
        ctx.core.tree().walk([&](std::string const &path, Node const &node) {
            for_each_child(node.children, [&](std::string_view c) {
                good = good && ctx.core.tree().find(child_path(path, c)) != nullptr;
            });
        });
        return good ? ok_reply() : hv::Result<std::string, Err>{hv::unexpected(Err::IO)};
    }
    return hv::unexpected(Err::INVAL);
}

} // namespace dom::store
