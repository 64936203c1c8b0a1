// SPDX-License-Identifier: MIT
// libFuzzer target for the vTPM manager's file formats: the first byte picks the parser (the
// key=value reader, instance record, run file, sealed manager key, platform key, migration
// blob, migration payload, ledger, PCR selection), the rest is the file. Whatever parses must
// serialize to text that parses again to the same thing (the manager rewrites these files).
#include <cstddef>
#include <cstdint>
#include <string>

#include "vtpm/kv_file.hpp"
#include "vtpm/ledger.hpp"
#include "vtpm/migration.hpp"
#include "vtpm/pcr.hpp"
#include "vtpm/record.hpp"
#include "vtpm/sealed_key.hpp"

namespace
{

using namespace dom::vtpm;

void require(bool ok)
{
    if (!ok)
        __builtin_trap();
}

// parse(text) ok => parse(serialize(parse(text))) ok with the same serialization.
template <typename T, typename Parse> void round_trip(std::string const &text, Parse parse)
{
    auto const a = parse(text);
    if (!a) {
        require(!a.error().message.empty());
        return;
    }
    auto const s = a->serialize();
    auto const b = parse(s);
    require(static_cast<bool>(b));
    require(b->serialize() == s);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const *data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::string const text(reinterpret_cast<char const *>(data) + 1, size - 1);
    switch (data[0] % 9) {
    case 0: {
        auto const f = Kv_file::parse(text, "m 1", "fuzz");
        if (f) {
            auto const g = Kv_file::parse(f->serialize(), "m 1", "fuzz");
            require(g && g->entries() == f->entries());
        }
        break;
    }
    case 1:
        round_trip<Instance_record>(text,
                                    [](std::string const &s) { return Instance_record::parse(s); });
        break;
    case 2:
        round_trip<Run_info>(text, [](std::string const &s) { return Run_info::parse(s); });
        break;
    case 3:
        round_trip<Sealed_key_file>(text,
                                    [](std::string const &s) { return Sealed_key_file::parse(s); });
        break;
    case 4:
        round_trip<Platform_key>(text, [](std::string const &s) { return Platform_key::parse(s); });
        break;
    case 5: {
        auto const b = Migration_blob::parse(text);
        round_trip<Migration_blob>(text,
                                   [](std::string const &s) { return Migration_blob::parse(s); });
        if (b) {
            require(valid_uuid(b->uuid) && valid_export_id(b->export_id));
            (void)b->kdf_info();
        }
        break;
    }
    case 6:
        round_trip<Migration_payload>(
            text, [](std::string const &s) { return Migration_payload::parse(s); });
        break;
    case 7:
        round_trip<Migration_ledger>(
            text, [](std::string const &s) { return Migration_ledger::parse(s); });
        break;
    case 8: {
        auto const p = Pcr_selection::parse(text);
        if (p) {
            for (auto const i : p->pcrs)
                require(i < 24);
            auto const q = Pcr_selection::parse(p->to_string());
            require(q && q->pcrs == p->pcrs);
        }
        break;
    }
    }
    return 0;
}
