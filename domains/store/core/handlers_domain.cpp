// SPDX-License-Identifier: MIT
// Domain management: INTRODUCE, RELEASE, GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, RESUME,
// SET_TARGET.
#include "../model/path.hpp"
#include "dispatch.hpp"
#include "frame.hpp"

namespace dom::store
{

namespace
{

hv::Result<uint32_t, Err> domid_arg(std::string_view s)
{
    auto const id = HV_TRY(parse_u32(s));
    if (id >= DOMID_FIRST_RESERVED)
        return hv::unexpected(Err::INVAL);
    return id;
}

// The gfn is signed decimal.
hv::Result<int64_t, Err> parse_gfn(std::string_view s)
{
    bool const neg = !s.empty() && s.front() == '-';
    if (neg)
        s.remove_prefix(1);
    if (s.empty() || s.size() > 18)
        return hv::unexpected(Err::INVAL);
    int64_t v = 0;
    for (char const c : s) {
        if (c < '0' || c > '9')
            return hv::unexpected(Err::INVAL);
        v = v * 10 + (c - '0');
    }
    return neg ? -v : v;
}

bool introduced(Ctx &ctx, uint32_t domid)
{
    return domid == 0 || ctx.core.domains().contains(domid);
}

} // namespace

Reply do_introduce(Ctx &ctx)
{
    std::string_view a[3];
    if (!split_args(ctx.payload, a))
        return hv::unexpected(Err::INVAL);
    auto const domid = HV_TRY(domid_arg(a[0]));
    auto const gfn = HV_TRY(parse_gfn(a[1]));
    auto const evtchn = HV_TRY(parse_u32(a[2]));
    if (domid == 0)
        return hv::unexpected(Err::INVAL);
    auto &doms = ctx.core.domains_mut();
    if (auto const it = doms.find(domid); it != doms.end()) {
        // Introducing again with the same ring is harmless (toolstack retries).
        if (it->second.gfn == gfn && it->second.evtchn == evtchn)
            return ok_reply();
        return hv::unexpected(Err::EXIST);
    }
    Domain_info const info{gfn, evtchn, std::nullopt};
    if (auto *hooks = ctx.core.hooks())
        HV_TRY(hooks->attach(domid, info));
    doms[domid] = info;
    ctx.core.domain_quotas_mut(domid); // its quotas start as the global ones (kept if set before)
    ctx.core.journal().push_back(Op{Op::Kind::INTRODUCE, {}, {}, {}, domid, evtchn, gfn});
    ctx.core.fire_special("@introduceDomain", domid);
    return ok_reply();
}

Reply do_release(Ctx &ctx)
{
    auto const arg = one_arg(ctx.payload);
    if (!arg)
        return hv::unexpected(Err::INVAL);
    auto const domid = HV_TRY(domid_arg(*arg));
    auto &doms = ctx.core.domains_mut();
    if (domid == 0)
        return hv::unexpected(Err::INVAL);
    if (!doms.contains(domid))
        return hv::unexpected(Err::NOENT);
    if (auto *hooks = ctx.core.hooks())
        hooks->detach(domid);
    for (Conn *c : ctx.core.conns_of(domid))
        ctx.core.reset(*c);
    doms.erase(domid);
    ctx.core.drop_domain_quotas(domid);
    ctx.core.journal().push_back(Op{Op::Kind::RELEASE, {}, {}, {}, domid});
    if (!ctx.core.options().keep_orphans) {
        for (auto const &top : ctx.core.tree().owned_tops(domid)) {
            ctx.core.tree_mut().del(top);
            ctx.core.journal().push_back(Op{Op::Kind::DEL, top, {}, {}});
            ctx.core.fire(Change{top, true});
        }
    }
    ctx.core.fire_special("@releaseDomain", domid);
    return ok_reply();
}

Reply do_get_domain_path(Ctx &ctx)
{
    auto const arg = one_arg(ctx.payload);
    if (!arg)
        return hv::unexpected(Err::INVAL);
    auto const domid = HV_TRY(parse_u32(*arg));
    std::string out = domain_path(domid);
    out += '\0';
    return out;
}

Reply do_is_domain_introduced(Ctx &ctx)
{
    auto const arg = one_arg(ctx.payload);
    if (!arg)
        return hv::unexpected(Err::INVAL);
    auto const domid = HV_TRY(parse_u32(*arg));
    return std::string{introduced(ctx, domid) ? "T" : "F", 2};
}

Reply do_resume(Ctx &ctx)
{
    auto const arg = one_arg(ctx.payload);
    if (!arg)
        return hv::unexpected(Err::INVAL);
    auto const domid = HV_TRY(domid_arg(*arg));
    if (!ctx.core.domains().contains(domid))
        return hv::unexpected(Err::NOENT);
    return ok_reply();
}

Reply do_set_target(Ctx &ctx)
{
    std::string_view a[2];
    if (!split_args(ctx.payload, a))
        return hv::unexpected(Err::INVAL);
    auto const domid = HV_TRY(domid_arg(a[0]));
    auto const target = HV_TRY(domid_arg(a[1]));
    auto &doms = ctx.core.domains_mut();
    auto const it = doms.find(domid);
    if (it == doms.end() || !introduced(ctx, target))
        return hv::unexpected(Err::NOENT);
    it->second.target = target;
    for (Conn *c : ctx.core.conns_of(domid))
        c->caller.target = target;
    ctx.core.journal().push_back(Op{Op::Kind::SET_TARGET, {}, {}, {}, domid, target});
    return ok_reply();
}

} // namespace dom::store
