// SPDX-License-Identifier: MIT
// The migration ledger (<root>/ledger): which migrations this platform has consumed (imported)
// and which it has finished exporting, by export id. Every migration blob carries a fresh export
// id; an import whose id is in `consumed` is a replay and is refused, so a blob opens at most
// once on a platform, even after the imported instance was destroyed or moved on. Pure.
#pragma once

#include <map>
#include <string>

#include "vtpm/error.hpp"

namespace dom::vtpm
{

// 32 lower-case hex digits (16 random bytes).
bool valid_export_id(std::string const &s);

struct Migration_ledger
{
    std::map<std::string, std::string> consumed; // export id -> instance uuid (imported here)
    std::map<std::string, std::string> exported; // export id -> instance uuid (exported from here)

    std::string serialize() const;
    // CORRUPT for anything but "consumed.<id>=<uuid>" and "exported.<id>=<uuid>" lines.
    static Result<Migration_ledger> parse(std::string const &text);
};

} // namespace dom::vtpm
