// SPDX-License-Identifier: MIT
// Instance record and runtime file formats.
#include "vtpm/record.hpp"

#include <charconv>

#include "vtpm/kv_file.hpp"
#include "vtpm/ledger.hpp"

namespace dom::vtpm
{

static constexpr char const *RECORD_MAGIC = "ward-vtpm-instance 1";
static constexpr char const *RUN_MAGIC = "ward-vtpm-run 1";

std::string Instance_record::serialize() const
{
    Kv_file f{RECORD_MAGIC};
    f.set("uuid", uuid);
    f.set("domain", owner.domain);
    f.set("label", owner.label);
    f.set("measurement", owner.measurement);
    f.set_hex("key", wrapped_key);
    f.set("status", status == Record_status::READY ? "ready" : "exporting");
    if (!origin.empty())
        f.set("origin", origin);
    if (status == Record_status::EXPORTING) {
        f.set("export", export_id);
        f.set_hex("export.target", export_target);
    }
    return f.serialize();
}

Result<Instance_record> Instance_record::parse(std::string const &text)
{
    auto const f = HV_TRY(Kv_file::parse(text, RECORD_MAGIC, "instance record"));
    Instance_record r;
    r.uuid = HV_TRY(f.get("uuid"));
    if (!valid_uuid(r.uuid))
        return fail(Errc::CORRUPT, "instance record: bad uuid");
    // HV_TRY inside a braced initializer would leak the members built before a failure.
    auto domain = HV_TRY(f.get("domain"));
    auto label = HV_TRY(f.get("label"));
    auto measurement = HV_TRY(f.get("measurement"));
    Domain_identity const id{std::move(domain), std::move(label), std::move(measurement)};
    auto v = validate_identity(id);
    if (!v)
        return fail(Errc::CORRUPT, "instance record: " + v.error().message);
    r.owner = *v;
    // 12-byte nonce + 32-byte key + 16-byte tag.
    r.wrapped_key = HV_TRY(f.get_hex("key", 60));
    auto const st = HV_TRY(f.get("status"));
    if (st == "ready")
        r.status = Record_status::READY;
    else if (st == "exporting")
        r.status = Record_status::EXPORTING;
    else
        return fail(Errc::CORRUPT, "instance record: unknown status '" + st + "'");
    std::size_t fields = 6;
    if (f.has("origin")) {
        r.origin = HV_TRY(f.get("origin"));
        if (!valid_export_id(r.origin))
            return fail(Errc::CORRUPT, "instance record: bad origin export id");
        ++fields;
    }
    if (r.status == Record_status::EXPORTING) {
        r.export_id = HV_TRY(f.get("export"));
        if (!valid_export_id(r.export_id))
            return fail(Errc::CORRUPT, "instance record: bad export id");
        auto const t = HV_TRY(f.get_hex("export.target", 32));
        std::copy(t.begin(), t.end(), r.export_target.begin());
        fields += 2;
    }
    if (f.entries().size() != fields)
        return fail(Errc::CORRUPT, "instance record: unexpected fields");
    return r;
}

std::string Run_info::serialize() const
{
    Kv_file f{RUN_MAGIC};
    f.set("pid", std::to_string(pid));
    f.set("port", std::to_string(port));
    return f.serialize();
}

template <typename T> static bool parse_num(std::string const &s, T &out)
{
    auto const r = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

Result<Run_info> Run_info::parse(std::string const &text)
{
    auto const f = HV_TRY(Kv_file::parse(text, RUN_MAGIC, "run file"));
    Run_info r;
    if (!parse_num(HV_TRY(f.get("pid")), r.pid) || r.pid <= 1)
        return fail(Errc::CORRUPT, "run file: bad pid");
    if (!parse_num(HV_TRY(f.get("port")), r.port) || r.port == 0 || r.port > 65534)
        return fail(Errc::CORRUPT, "run file: bad port");
    return r;
}

} // namespace dom::vtpm
