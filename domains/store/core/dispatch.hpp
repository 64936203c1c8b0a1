// SPDX-License-Identifier: MIT
// The dispatch table: message type -> name, handler and flags (xenstored's wire_funcs). The
// core checks the flags centrally; handlers only do their operation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core.hpp"
#include "hv/result.hpp"

namespace dom::store
{

struct Ctx
{
    Core &core;
    Conn &conn;
    Header const &header;
    std::string_view payload;
    Txn *txn; // the request's transaction, or nullptr
};

using Reply = hv::Result<std::string, Err>;
using Handler_fn = Reply (*)(Ctx &);

enum Handler_flags : uint8_t
{
    FLAG_NONE = 0,
    FLAG_PRIV = 1, // privileged callers only (EACCES otherwise)
    FLAG_TXN = 2,  // honours the header's tx_id (ENOENT if unknown)
};

struct Handler
{
    char const *name;
    Handler_fn fn;
    uint8_t flags;
};

// The handler for a message type, or nullptr (ENOSYS).
Handler const *handler_for(uint32_t type);

inline std::string ok_reply()
{
    return std::string{"OK\0", 3};
}

// Handlers, one file per protocol concept.
Reply do_read(Ctx &);
Reply do_write(Ctx &);
Reply do_mkdir(Ctx &);
Reply do_rm(Ctx &);
Reply do_directory(Ctx &);
Reply do_directory_part(Ctx &);
Reply do_get_perms(Ctx &);
Reply do_set_perms(Ctx &);
Reply do_watch(Ctx &);
Reply do_unwatch(Ctx &);
Reply do_reset_watches(Ctx &);
Reply do_transaction_start(Ctx &);
Reply do_transaction_end(Ctx &);
Reply do_introduce(Ctx &);
Reply do_release(Ctx &);
Reply do_get_domain_path(Ctx &);
Reply do_is_domain_introduced(Ctx &);
Reply do_resume(Ctx &);
Reply do_set_target(Ctx &);
Reply do_get_feature(Ctx &);
Reply do_set_feature(Ctx &);
Reply do_get_quota(Ctx &);
Reply do_set_quota(Ctx &);
Reply do_control(Ctx &);

} // namespace dom::store
