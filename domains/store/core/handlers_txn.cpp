// SPDX-License-Identifier: MIT
// Transactions: TRANSACTION_START, TRANSACTION_END.
#include "dispatch.hpp"
#include "frame.hpp"

namespace dom::store
{

Reply do_transaction_start(Ctx &ctx)
{
    if (ctx.header.tx_id != 0)
        return hv::unexpected(Err::BUSY);
    auto &txns = ctx.conn.txns;
    // Open transactions per domain: ENOSPC, as in C xenstored's transaction.c.
    uint32_t const domid = ctx.conn.caller.domid;
    if (!ctx.conn.caller.privileged &&
        over(ctx.core.transactions_of(domid) + 1, ctx.core.quotas_for(domid).transactions))
        return hv::unexpected(Err::NOSPC);
    uint32_t id = ctx.conn.next_txid;
    while (id == 0 || txns.contains(id))
        ++id;
    ctx.conn.next_txid = id + 1;
    txns.emplace(id, std::make_unique<Txn>(ctx.core.tree()));
    std::string out = std::to_string(id);
    out += '\0';
    return out;
}

Reply do_transaction_end(Ctx &ctx)
{
    auto const it = ctx.conn.txns.find(ctx.header.tx_id);
    if (ctx.header.tx_id == 0 || it == ctx.conn.txns.end())
        return hv::unexpected(Err::NOENT);
    auto const arg = one_arg(ctx.payload);
    if (!arg || (*arg != "T" && *arg != "F"))
        return hv::unexpected(Err::INVAL);
    std::unique_ptr<Txn> txn = std::move(it->second);
    ctx.conn.txns.erase(it);
    if (*arg == "F")
        return ok_reply();
    auto const changes = HV_TRY(txn->commit(ctx.core.tree_mut(), ctx.core.journal()));
    for (auto const &c : changes)
        ctx.core.fire(c);
    return ok_reply();
}

} // namespace dom::store
