// SPDX-License-Identifier: MIT
// Migration blob, payload and platform key formats.
#include "vtpm/migration.hpp"

#include "vtpm/kv_file.hpp"
#include "vtpm/ledger.hpp"

namespace dom::vtpm
{

static constexpr char const *KEY_MAGIC = "ward-vtpm-platform-key 1";
static constexpr char const *BLOB_MAGIC = "ward-vtpm-migration 2";
static constexpr char const *PAYLOAD_MAGIC = "ward-vtpm-migration-payload 1";

bool allowed_state_file(std::string const &name)
{
    return name == "tpm2-00.permall" || name == "tpm2-00.volatilestate";
}

Digest Platform_key::id() const
{
    Bytes b = pub.x;
    b.insert(b.end(), pub.y.begin(), pub.y.end());
    return sha256(b);
}

std::string Platform_key::serialize() const
{
    Kv_file f{KEY_MAGIC};
    f.set_hex("x", pub.x);
    f.set_hex("y", pub.y);
    f.set_hex("id", id());
    return f.serialize();
}

Result<Platform_key> Platform_key::parse(std::string const &text)
{
    auto const f = HV_TRY(Kv_file::parse(text, KEY_MAGIC, "platform key"));
    auto x = HV_TRY(f.get_hex("x", 32));
    auto y = HV_TRY(f.get_hex("y", 32));
    Platform_key const k{{std::move(x), std::move(y)}};
    auto const id = HV_TRY(f.get_hex("id", 32));
    auto const want = k.id();
    if (!std::equal(id.begin(), id.end(), want.begin()))
        return fail(Errc::CORRUPT, "platform key: id does not match the key");
    return k;
}

Bytes Migration_blob::header_aad() const
{
    Kv_file f{BLOB_MAGIC};
    f.set_hex("target", target);
    f.set("uuid", uuid);
    f.set("export", export_id);
    f.set("domain", owner.domain);
    f.set("label", owner.label);
    f.set("measurement", owner.measurement);
    f.set_hex("ephemeral.x", ephemeral.x);
    f.set_hex("ephemeral.y", ephemeral.y);
    return to_bytes(f.serialize());
}

Bytes Migration_blob::kdf_info() const
{
    std::string info = "ward-vtpm migration v1";
    info.append(reinterpret_cast<char const *>(target.data()), target.size());
    info.append(reinterpret_cast<char const *>(ephemeral.x.data()), ephemeral.x.size());
    info.append(reinterpret_cast<char const *>(ephemeral.y.data()), ephemeral.y.size());
    return to_bytes(info);
}

std::string Migration_blob::serialize() const
{
    auto const head = header_aad();
    return std::string(head.begin(), head.end()) + "payload=" + to_hex(payload) + "\n";
}

Result<Migration_blob> Migration_blob::parse(std::string const &text)
{
    auto const f = HV_TRY(Kv_file::parse(text, BLOB_MAGIC, "migration blob"));
    Migration_blob b;
    auto const t = HV_TRY(f.get_hex("target", 32));
    std::copy(t.begin(), t.end(), b.target.begin());
    b.uuid = HV_TRY(f.get("uuid"));
    if (!valid_uuid(b.uuid))
        return fail(Errc::CORRUPT, "migration blob: bad uuid");
    b.export_id = HV_TRY(f.get("export"));
    if (!valid_export_id(b.export_id))
        return fail(Errc::CORRUPT, "migration blob: bad export id");
    auto domain = HV_TRY(f.get("domain"));
    auto label = HV_TRY(f.get("label"));
    auto measurement = HV_TRY(f.get("measurement"));
    auto const id =
        validate_identity({std::move(domain), std::move(label), std::move(measurement)});
    if (!id)
        return fail(Errc::CORRUPT, "migration blob: " + id.error().message);
    b.owner = *id;
    b.ephemeral.x = HV_TRY(f.get_hex("ephemeral.x", 32));
    b.ephemeral.y = HV_TRY(f.get_hex("ephemeral.y", 32));
    b.payload = HV_TRY(f.get_hex("payload"));
    if (f.entries().size() != 9)
        return fail(Errc::CORRUPT, "migration blob: unexpected fields");
    return b;
}

std::string Migration_payload::serialize() const
{
    Kv_file f{PAYLOAD_MAGIC};
    f.set_hex("key", instance_key);
    for (auto const &[name, data] : files)
        f.set_hex("file." + name, data);
    return f.serialize();
}

Result<Migration_payload> Migration_payload::parse(std::string const &text)
{
    auto const f = HV_TRY(Kv_file::parse(text, PAYLOAD_MAGIC, "migration payload"));
    Migration_payload p;
    auto const k = HV_TRY(f.get_hex("key", 32));
    std::copy(k.begin(), k.end(), p.instance_key.begin());
    for (auto const &[key, value] : f.entries()) {
        if (key == "key")
            continue;
        if (key.rfind("file.", 0) != 0 || !allowed_state_file(key.substr(5)))
            return fail(Errc::CORRUPT, "migration payload: unexpected field '" + key + "'");
        p.files[key.substr(5)] = HV_TRY(f.get_hex(key));
    }
    if (!p.files.count("tpm2-00.permall"))
        return fail(Errc::CORRUPT, "migration payload: no TPM state (tpm2-00.permall)");
    return p;
}

} // namespace dom::vtpm
