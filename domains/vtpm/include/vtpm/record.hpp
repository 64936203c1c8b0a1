// SPDX-License-Identifier: MIT
// The instance record (instances/<uuid>/record) and the runtime file (instances/<uuid>/run).
// Formats and validation only; the manager does the I/O. Pure.
#pragma once

#include <string>

#include "vtpm/crypto.hpp"
#include "vtpm/identity.hpp"

namespace dom::vtpm
{

enum class Record_status
{
    READY,     // may be started
    EXPORTING, // handed to another platform: never started again here
};

struct Instance_record
{
    std::string uuid;
    Domain_identity owner;
    Bytes wrapped_key; // AES-256-GCM(manager key, aad = binding_aad(uuid, owner), instance key)
    Record_status status{Record_status::READY};
    // Export id of the migration that brought the instance to this platform (empty if it was
    // created here). Recorded in the ledger's consumed set, so that blob is refused if replayed.
    std::string origin;
    // While EXPORTING: the export id chosen when the export began and the platform it goes to.
    // A repeated export (after a crash) reuses both, so every blob of one export shares one id
    // and the target accepts only one of them.
    std::string export_id;
    Digest export_target{};

    std::string serialize() const;
    // CORRUPT naming the field, for a file that does not parse or validate.
    static Result<Instance_record> parse(std::string const &text);
};

// Where a started worker listens: TPM commands on `port`, swtpm control on `port + 1` (the
// swtpm TCTI's convention).
struct Run_info
{
    int pid{0};
    unsigned port{0};

    std::string serialize() const;
    static Result<Run_info> parse(std::string const &text);
};

} // namespace dom::vtpm
