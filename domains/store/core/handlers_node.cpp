// SPDX-License-Identifier: MIT
// Node requests: READ, WRITE, MKDIR, RM, DIRECTORY, DIRECTORY_PART, GET_PERMS, SET_PERMS.
#include <vector>

#include "../model/path.hpp"
#include "../model/semantics.hpp"
#include "dispatch.hpp"
#include "frame.hpp"

namespace dom::store
{

namespace
{

// Runs `fn` against the request's view: its transaction, or the live tree (whose changes fire
// watches right away; a transaction's fire when it commits).
template <typename F> Reply with_view(Ctx &ctx, F &&fn)
{
    std::vector<Change> changes;
    Direct_view direct{ctx.core.tree_mut(), ctx.core.journal(), changes};
    View &view = ctx.txn ? static_cast<View &>(*ctx.txn) : direct;
    Request_scope const scope{view, ctx.conn.caller, ctx.core.quotas_for(ctx.conn.caller.domid),
                              [&](uint32_t d) -> Quotas const & { return ctx.core.quotas_for(d); }};
    auto r = fn(scope);
    for (auto const &c : changes)
        ctx.core.fire(c);
    return r;
}

hv::Result<std::string, Err> path_arg(Ctx &ctx)
{
    auto const p = one_arg(ctx.payload);
    if (!p)
        return hv::unexpected(Err::INVAL);
    return ctx.core.resolve(ctx.conn, *p);
}

std::string const *special_name(Ctx &ctx, std::string_view p)
{
    auto const it = ctx.core.special_perms().find(std::string{p});
    return it == ctx.core.special_perms().end() ? nullptr : &it->first;
}

} // namespace

Reply do_read(Ctx &ctx)
{
    auto const path = HV_TRY(path_arg(ctx));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        Node const *n = HV_TRY(lookup(s, path, ACCESS_READ));
        return n->value.str();
    });
}

Reply do_write(Ctx &ctx)
{
    auto const pv = path_and_value(ctx.payload);
    if (!pv)
        return hv::unexpected(Err::INVAL);
    auto const path = HV_TRY(ctx.core.resolve(ctx.conn, pv->first));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        HV_TRY(write_node(s, path, pv->second));
        return ok_reply();
    });
}

Reply do_mkdir(Ctx &ctx)
{
    auto const path = HV_TRY(path_arg(ctx));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        HV_TRY(make_dir(s, path));
        return ok_reply();
    });
}

Reply do_rm(Ctx &ctx)
{
    auto const path = HV_TRY(path_arg(ctx));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        HV_TRY(remove_node(s, path));
        return ok_reply();
    });
}

Reply do_directory(Ctx &ctx)
{
    auto const path = HV_TRY(path_arg(ctx));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        Node const *n = HV_TRY(lookup(s, path, ACCESS_READ));
        if (n->children.size() > PAYLOAD_MAX)
            return hv::unexpected(Err::TOOBIG);
        return n->children.str();
    });
}

// "<path>\0<offset>\0" -> "<generation>\0" then as many "<child>\0" as fit from byte `offset`
// of the child list, and one more "\0" once the list is complete.
Reply do_directory_part(Ctx &ctx)
{
    std::string_view args[2];
    if (!split_args(ctx.payload, args))
        return hv::unexpected(Err::INVAL);
    auto const path = HV_TRY(ctx.core.resolve(ctx.conn, args[0]));
    auto const offset = HV_TRY(parse_u32(args[1]));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        Node const *n = HV_TRY(lookup(s, path, ACCESS_READ));
        std::string_view const all = n->children;
        if (offset > all.size())
            return hv::unexpected(Err::INVAL);
        std::string out = std::to_string(n->gen);
        out += '\0';
        size_t const room = PAYLOAD_MAX - out.size() - 1;
        std::string_view rest = all.substr(offset);
        if (rest.size() <= room) {
            out += rest;
            out += '\0';
            return out;
        }
        // Cut after the last whole name that fits.
        auto const cut = rest.substr(0, room).rfind('\0');
        if (cut == std::string_view::npos)
            return hv::unexpected(Err::TOOBIG);
        out += rest.substr(0, cut + 1);
        return out;
    });
}

Reply do_get_perms(Ctx &ctx)
{
    auto const p = one_arg(ctx.payload);
    if (!p)
        return hv::unexpected(Err::INVAL);
    std::string out;
    if (std::string const *sp = special_name(ctx, *p)) {
        format_perms(ctx.core.special_perms().at(*sp), out);
        return out;
    }
    auto const path = HV_TRY(ctx.core.resolve(ctx.conn, *p));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        Node const *n = HV_TRY(lookup(s, path, ACCESS_READ));
        format_perms(n->perms, out);
        return out;
    });
}

Reply do_set_perms(Ctx &ctx)
{
    auto const n = count_args(ctx.payload);
    if (!n || *n < 2)
        return hv::unexpected(Err::INVAL);
    std::string_view rest = ctx.payload;
    auto const take = [&] {
        auto const nul = rest.find('\0');
        auto const a = rest.substr(0, nul);
        rest.remove_prefix(nul + 1);
        return a;
    };
    std::string_view const p = take();
    Perms perms;
    for (size_t i = 1; i < *n; ++i)
        perms.push_back(HV_TRY(parse_perm(take())));
    if (std::string const *sp = special_name(ctx, p)) {
        if (!ctx.conn.caller.privileged)
            return hv::unexpected(Err::ACCES);
        ctx.core.specials_mut()[*sp] = perms;
        ctx.core.journal().push_back(Op{Op::Kind::SPECIAL_PERMS, *sp, {}, perms});
        return ok_reply();
    }
    auto const path = HV_TRY(ctx.core.resolve(ctx.conn, p));
    return with_view(ctx, [&](Request_scope const &s) -> Reply {
        HV_TRY(set_node_perms(s, path, perms));
        return ok_reply();
    });
}

} // namespace dom::store
