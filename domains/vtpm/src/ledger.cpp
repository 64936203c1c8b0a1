// SPDX-License-Identifier: MIT
// Migration ledger format.
#include "vtpm/ledger.hpp"

#include "vtpm/identity.hpp"
#include "vtpm/kv_file.hpp"

namespace dom::vtpm
{

static constexpr char const *LEDGER_MAGIC = "ward-vtpm-ledger 1";

bool valid_export_id(std::string const &s)
{
    if (s.size() != 32)
        return false;
    for (auto const c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::string Migration_ledger::serialize() const
{
    Kv_file f{LEDGER_MAGIC};
    for (auto const &[id, uuid] : consumed)
        f.set("consumed." + id, uuid);
    for (auto const &[id, uuid] : exported)
        f.set("exported." + id, uuid);
    return f.serialize();
}

Result<Migration_ledger> Migration_ledger::parse(std::string const &text)
{
    auto const f = HV_TRY(Kv_file::parse(text, LEDGER_MAGIC, "migration ledger"));
    Migration_ledger l;
    for (auto const &[key, value] : f.entries()) {
        auto const dot = key.find('.');
        auto const kind = key.substr(0, dot == std::string::npos ? key.size() : dot);
        auto const id = dot == std::string::npos ? std::string{} : key.substr(dot + 1);
        if ((kind != "consumed" && kind != "exported") || !valid_export_id(id))
            return fail(Errc::CORRUPT, "migration ledger: unexpected field '" + key + "'");
        if (!valid_uuid(value))
            return fail(Errc::CORRUPT, "migration ledger: bad uuid for '" + key + "'");
        (kind == "consumed" ? l.consumed : l.exported)[id] = value;
    }
    return l;
}

} // namespace dom::vtpm
