// SPDX-License-Identifier: MIT
// Watch requests: WATCH, UNWATCH, RESET_WATCHES.
#include <algorithm>

#include "../model/path.hpp"
#include "dispatch.hpp"
#include "frame.hpp"

namespace dom::store
{

Reply do_watch(Ctx &ctx)
{
    std::string_view args[3];
    auto const n = count_args(ctx.payload);
    if (!n || (*n != 2 && *n != 3) || !split_args(ctx.payload, std::span{args, *n}))
        return hv::unexpected(Err::INVAL);
    Watch w;
    w.given = std::string{args[0]};
    w.token = std::string{args[1]};
    if (*n == 3)
        w.depth = HV_TRY(parse_u32(args[2]));
    if (special_path(args[0])) {
        w.path = w.given;
    } else {
        w.path = HV_TRY(ctx.core.resolve(ctx.conn, args[0]));
        w.relative = args[0].front() != '/';
    }
    auto &ws = ctx.conn.watches;
    if (std::any_of(ws.begin(), ws.end(),
                    [&](Watch const &o) { return o.given == w.given && o.token == w.token; }))
        return hv::unexpected(Err::EXIST);
    // Watches per domain, over all its connections: ENOSPC as in C xenstored's watch.c since
    // Xen 4.22 (E2BIG before).
    uint32_t const domid = ctx.conn.caller.domid;
    if (!ctx.conn.caller.privileged &&
        over(ctx.core.watches_of(domid) + 1, ctx.core.quotas_for(domid).watches))
        return hv::unexpected(Err::NOSPC);
    ws.push_back(w);
    // Every new watch fires once at once, with the path as given.
    ctx.core.queue_event(ctx.conn, w.given, w.token);
    return ok_reply();
}

Reply do_unwatch(Ctx &ctx)
{
    std::string_view args[2];
    if (!split_args(ctx.payload, args))
        return hv::unexpected(Err::INVAL);
    auto &ws = ctx.conn.watches;
    auto const it = std::find_if(ws.begin(), ws.end(), [&](Watch const &w) {
        return w.given == args[0] && w.token == args[1];
    });
    if (it == ws.end())
        return hv::unexpected(Err::NOENT);
    ws.erase(it);
    return ok_reply();
}

Reply do_reset_watches(Ctx &ctx)
{
    ctx.core.reset(ctx.conn);
    return ok_reply();
}

} // namespace dom::store
