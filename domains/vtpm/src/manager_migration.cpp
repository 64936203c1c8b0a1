// SPDX-License-Identifier: MIT
// Manager: migration export and import, and the ledger that makes each export import once.
#include <cerrno>
#include <filesystem>

#include "vtpm/atomic_file.hpp"
#include "vtpm/manager.hpp"
#include "vtpm/tpm_client.hpp"
#include "vtpm/worker.hpp"

namespace dom::vtpm
{

Result<Migration_ledger> Manager::load_ledger() const
{
    auto const text = read_text(cfg_.root + "/ledger", 4u << 20);
    if (!text && text.error().code == Errc::NOT_FOUND)
        return Migration_ledger{};
    if (!text)
        return hv::unexpected(text.error());
    return Migration_ledger::parse(*text);
}

Result<void> Manager::save_ledger(Migration_ledger const &l) const
{
    return write_atomic(cfg_.root + "/ledger", l.serialize());
}

void Manager::recover_migrations()
{
    auto ledger = load_ledger();
    if (!ledger) {
        audit(cfg_.root + "/audit.log", "ledger unreadable at open: " + ledger.error().message);
        return;
    }
    bool changed = false;
    std::vector<std::string> finished;
    std::error_code ec;
    for (auto const &e : std::filesystem::directory_iterator(cfg_.root + "/instances", ec)) {
        auto const uuid = e.path().filename().string();
        if (!valid_uuid(uuid))
            continue;
        auto const r = load(uuid);
        if (!r)
            continue;
        // Imported, but the manager died before the ledger said so.
        if (!r->origin.empty() && !ledger->consumed.count(r->origin)) {
            ledger->consumed[r->origin] = uuid;
            changed = true;
        }
        // Exported and recorded, but the manager died before destroying the source.
        if (r->status == Record_status::EXPORTING && ledger->exported.count(r->export_id))
            finished.push_back(uuid);
    }
    if (changed) {
        if (auto const s = save_ledger(*ledger); !s)
            audit(cfg_.root + "/audit.log", "ledger repair failed: " + s.error().message);
    }
    for (auto const &uuid : finished)
        (void)destroy(uuid);
}

Result<Platform_key> Manager::platform_key()
{
    auto tpm = HV_TRY(Tpm_client::connect(cfg_.platform_tcti));
    return Platform_key{HV_TRY(tpm.migration_key(cfg_.pcrs))};
}

Result<void> Manager::export_checked(std::string const &uuid, Platform_key const &target,
                                     std::string const &out_path)
{
    auto ledger = HV_TRY(load_ledger());
    auto loaded = load(uuid);
    if (!loaded && loaded.error().code == Errc::NOT_FOUND) {
        for (auto const &[id, u] : ledger.exported)
            if (u == uuid)
                return fail(Errc::NOT_FOUND, "instance " + uuid + " was exported (export id " + id +
                                                 ") and no longer exists here");
    }
    auto r = HV_TRY(std::move(loaded));
    auto const target_id = target.id();
    if (r.status == Record_status::EXPORTING && r.export_target != target_id)
        return fail(Errc::BAD_STATE, "instance " + uuid + " is being exported to platform " +
                                         to_hex(r.export_target).substr(0, 16) +
                                         "...; finish that export (same target) instead");
    if (auto const run = running(uuid))
        HV_TRY(stop_worker(*run, true));
    ::unlink((dir(uuid) + "/run").c_str());
    Migration_payload payload;
    payload.instance_key = HV_TRY(unwrap(r));

    // From here on the instance never starts on this platform again, and every blob written for
    // this export carries the same export id, so the target takes at most one of them.
    if (r.status != Record_status::EXPORTING) {
        auto const raw = HV_TRY(random_bytes(16));
        r.status = Record_status::EXPORTING;
        r.export_id = to_hex(raw);
        r.export_target = target_id;
        HV_TRY(write_atomic(dir(uuid) + "/record", r.serialize()));
    }
    for (char const *name : {"tpm2-00.permall", "tpm2-00.volatilestate"}) {
        auto data = read_file(dir(uuid) + "/state/" + name);
        if (data)
            payload.files[name] = std::move(*data);
        else if (data.error().code != Errc::NOT_FOUND)
            return hv::unexpected(data.error());
    }
    if (!payload.files.count("tpm2-00.permall")) {
        // Never started: an empty state directory is a valid (unmanufactured) TPM.
        payload.files["tpm2-00.permall"] = {};
    }

    Migration_blob blob;
    blob.target = target_id;
    blob.uuid = uuid;
    blob.export_id = r.export_id;
    blob.owner = r.owner;
    auto const dh = HV_TRY(ecdh_ephemeral(target.pub));
    blob.ephemeral = dh.ephemeral;
    auto const k = HV_TRY(hkdf_sha256(dh.z, blob.kdf_info()));
    auto const plain = payload.serialize();
    std::fill(payload.instance_key.begin(), payload.instance_key.end(), 0);
    blob.payload = HV_TRY(aead_seal(k, blob.header_aad(), to_bytes(plain)));
    HV_TRY(write_atomic(out_path, blob.serialize()));
    // The export is final: recorded before the state goes, so a crash in between is finished
    // at the next open (recover_migrations).
    ledger.exported[r.export_id] = uuid;
    HV_TRY(save_ledger(ledger));
    return destroy(uuid);
}

Result<Instance_info> Manager::import_checked(std::string const &blob_path)
{
    auto const text = HV_TRY(read_text(blob_path, 8u << 20));
    auto const blob = HV_TRY(Migration_blob::parse(text));
    auto const mine = HV_TRY(platform_key()).id();
    if (blob.target != mine)
        return fail(Errc::WRONG_PLATFORM,
                    "migration blob is for platform " + to_hex(blob.target).substr(0, 16) +
                        "..., this platform is " + to_hex(mine).substr(0, 16) + "...");
    auto ledger = HV_TRY(load_ledger());
    if (auto const it = ledger.consumed.find(blob.export_id); it != ledger.consumed.end())
        return fail(Errc::REPLAYED, "migration blob " + blob.export_id +
                                        " was already imported here (instance " + it->second +
                                        "); a blob opens once, an instance never exists twice");
    if (exists(dir(blob.uuid)))
        return fail(Errc::EXISTS, "instance " + blob.uuid + " already exists here");
    auto tpm = HV_TRY(Tpm_client::connect(cfg_.platform_tcti));
    auto const z = HV_TRY(tpm.ecdh_zgen(cfg_.pcrs, blob.ephemeral));
    auto const k = HV_TRY(hkdf_sha256(z, blob.kdf_info()));
    auto const plain = aead_open(k, blob.header_aad(), blob.payload);
    if (!plain)
        return fail(Errc::CORRUPT, "migration blob does not authenticate (damaged or forged)");
    auto payload = HV_TRY(Migration_payload::parse(std::string(plain->begin(), plain->end())));

    std::string const staging = cfg_.root + "/instances/.new-" + blob.uuid;
    (void)remove_tree(staging);
    HV_TRY(make_dir(staging));
    HV_TRY(make_dir(staging + "/state"));
    for (auto const &[name, data] : payload.files)
        if (!data.empty())
            HV_TRY(write_atomic(staging + "/state/" + name, data));
    auto wrapped = HV_TRY(wrap(blob.uuid, blob.owner, payload.instance_key));
    std::fill(payload.instance_key.begin(), payload.instance_key.end(), 0);
    Instance_record r;
    r.uuid = blob.uuid;
    r.owner = blob.owner;
    r.wrapped_key = std::move(wrapped);
    r.origin = blob.export_id; // the ledger is repaired from this after a crash
    HV_TRY(write_atomic(staging + "/record", r.serialize()));
    // One rename makes the instance exist; the ledger entry follows. A crash in between leaves
    // the record's origin, which the next open copies into the ledger.
    HV_TRY(commit_new(staging, blob.uuid));
    ledger.consumed[blob.export_id] = blob.uuid;
    if (auto const s = save_ledger(ledger); !s)
        return fail(s.error().code, "instance " + blob.uuid +
                                        " imported, but recording its export id failed (the "
                                        "next open records it): " +
                                        s.error().message);
    return Instance_info{blob.uuid, blob.owner, Instance_status::STOPPED, 0, 0, {}};
}

} // namespace dom::vtpm
