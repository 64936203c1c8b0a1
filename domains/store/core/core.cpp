// SPDX-License-Identifier: MIT
#include "core.hpp"

#include <algorithm>

#include "../model/path.hpp"
#include "dispatch.hpp"

namespace dom::store
{

Core::Core(Core_options opts) : opts_{opts}
{
    specials_["@introduceDomain"] = {Perm{0, ACCESS_NONE}};
    specials_["@releaseDomain"] = {Perm{0, ACCESS_NONE}};
    for (auto const &q : opts_.domain_quotas)
        if (uint32_t *f = domain_quotas_mut(q.domid).field(q.name))
            *f = q.value;
}

Core::~Core() = default;

Conn &Core::open(Caller caller, Sink &sink)
{
    auto c = std::make_unique<Conn>();
    c->id = next_conn_++;
    c->caller = caller;
    c->sink = &sink;
    conns_.push_back(std::move(c));
    return *conns_.back();
}

void Core::close(Conn &c)
{
    std::erase_if(events_, [&](Event const &e) { return e.conn == &c; });
    std::erase_if(conns_, [&](auto const &p) { return p.get() == &c; });
}

void Core::reset(Conn &c)
{
    c.watches.clear();
    c.txns.clear();
}

Quotas const &Core::quotas_for(uint32_t domid) const
{
    auto const it = domain_quotas_.find(domid);
    return it == domain_quotas_.end() ? opts_.quotas : it->second;
}

Quotas &Core::domain_quotas_mut(uint32_t domid)
{
    return domain_quotas_.try_emplace(domid, opts_.quotas).first->second;
}

void Core::drop_domain_quotas(uint32_t domid)
{
    domain_quotas_.erase(domid);
    std::erase_if(set_quotas_, [&](auto const &e) { return e.first.first == domid; });
}

void Core::set_domain_quota(uint32_t domid, std::string_view name, uint32_t value, bool journal)
{
    uint32_t *f = domain_quotas_mut(domid).field(name);
    if (!f)
        return;
    *f = value;
    set_quotas_[{domid, std::string{name}}] = value;
    if (journal)
        journal_.push_back(Op{Op::Kind::QUOTA, std::string{name}, {}, {}, domid, value});
}

size_t Core::watches_of(uint32_t domid) const
{
    size_t n = 0;
    for (auto const &c : conns_)
        if (!c->caller.privileged && c->caller.domid == domid)
            n += c->watches.size();
    return n;
}

size_t Core::transactions_of(uint32_t domid) const
{
    size_t n = 0;
    for (auto const &c : conns_)
        if (!c->caller.privileged && c->caller.domid == domid)
            n += c->txns.size();
    return n;
}

hv::Result<std::string, Err> Core::resolve(Conn const &c, std::string_view path) const
{
    auto p = HV_TRY(resolve_path(path, c.caller.domid));
    if (c.caller.privileged)
        return p;
    // C xenstored (core.c, canonicalize()): the length after "/local/domain/<N>/" must stay
    // within path-max, else the name is invalid (EINVAL).
    std::string_view rest{p};
    constexpr std::string_view local = "/local/domain/";
    if (rest.starts_with(local)) {
        auto const slash = rest.find('/', local.size());
        auto const digits = rest.substr(local.size(), slash - local.size());
        if (slash != rest.npos && !digits.empty() && digits.size() <= 5 &&
            digits.find_first_not_of("0123456789") == digits.npos)
            rest.remove_prefix(slash + 1);
    }
    if (over(rest.size(), quotas_for(c.caller.domid).path_max))
        return hv::unexpected(Err::INVAL);
    return p;
}

std::vector<Conn *> Core::conns_of(uint32_t domid)
{
    std::vector<Conn *> out;
    for (auto &c : conns_)
        if (!c->caller.privileged && c->caller.domid == domid)
            out.push_back(c.get());
    return out;
}

void Core::send_error(Conn &c, Header const &h, Err e)
{
    std::string payload{err_name(e)};
    payload += '\0';
    Header const r{static_cast<uint32_t>(Msg::ERROR), h.req_id, h.tx_id,
                   static_cast<uint32_t>(payload.size())};
    c.sink->send(r, payload);
}

void Core::handle(Conn &c, Header const &h, std::string_view payload)
{
    Handler const *hd = handler_for(h.type);
    if (!hd) {
        send_error(c, h, Err::NOSYS);
        return;
    }
    if ((hd->flags & FLAG_PRIV) && !c.caller.privileged) {
        send_error(c, h, Err::ACCES);
        return;
    }
    Txn *txn = nullptr;
    if ((hd->flags & FLAG_TXN) && h.tx_id != 0) {
        auto const it = c.txns.find(h.tx_id);
        if (it == c.txns.end()) {
            send_error(c, h, Err::NOENT);
            return;
        }
        txn = it->second.get();
        if (!c.caller.privileged &&
            over(txn->touched() + 1, quotas_for(c.caller.domid).transaction_nodes)) {
            send_error(c, h, Err::NOSPC);
            return;
        }
    }
    Ctx ctx{*this, c, h, payload, txn};
    auto const reply = hd->fn(ctx);
    if (!reply) {
        send_error(c, h, reply.error());
    } else {
        Header const r{h.type, h.req_id, h.tx_id, static_cast<uint32_t>(reply->size())};
        c.sink->send(r, *reply);
    }
    flush_events();
}

void Core::queue_event(Conn &c, std::string epath, std::string const &token)
{
    epath += '\0';
    epath += token;
    epath += '\0';
    events_.push_back(Event{&c, std::move(epath)});
}

void Core::flush_events()
{
    for (auto const &e : events_) {
        Header const h{static_cast<uint32_t>(Msg::WATCH_EVENT), 0, 0,
                       static_cast<uint32_t>(e.payload.size())};
        e.conn->sink->send(h, e.payload);
    }
    events_.clear();
}

void Core::fire(Change const &change)
{
    Node const *node = tree_.find(change.path);
    for (auto &c : conns_) {
        if (c->watches.empty())
            continue;
        // Best-effort filter: unprivileged watchers only hear about nodes they may read.
        if (node && !(access_for(c->caller, node->perms) & ACCESS_READ))
            continue;
        for (auto const &w : c->watches)
            if (auto ep = event_path(w, change.path, change.recursive, c->caller.domid))
                queue_event(*c, std::move(*ep), w.token);
    }
}

void Core::fire_special(std::string_view name, uint32_t domid)
{
    Perms const &perms = specials_[std::string{name}];
    for (auto &c : conns_) {
        if (!(access_for(c->caller, perms) & ACCESS_READ))
            continue;
        for (auto const &w : c->watches)
            if (auto ep = special_event_path(w, name, domid))
                queue_event(*c, std::move(*ep), w.token);
    }
}

bool Core::apply(Op const &op)
{
    switch (op.kind) {
    case Op::Kind::PUT: return tree_.put(op.path, op.value, op.perms);
    case Op::Kind::DEL: return tree_.del(op.path);
    case Op::Kind::INTRODUCE:
        domains_[op.a] = Domain_info{op.gfn, op.b, std::nullopt};
        domain_quotas_mut(op.a);
        return true;
    case Op::Kind::RELEASE: drop_domain_quotas(op.a); return domains_.erase(op.a) == 1;
    case Op::Kind::SET_TARGET: {
        auto const it = domains_.find(op.a);
        if (it == domains_.end())
            return false;
        it->second.target = op.b;
        return true;
    }
    case Op::Kind::QUOTA:
        if (!opts_.quotas.field(op.path) || op.b == UINT32_MAX)
            return false;
        set_domain_quota(op.a, op.path, op.b, false);
        return true;
    case Op::Kind::SPECIAL_PERMS:
        if (!specials_.contains(op.path) || op.perms.empty())
            return false;
        specials_[op.path] = op.perms;
        return true;
    }
    return false;
}

} // namespace dom::store
