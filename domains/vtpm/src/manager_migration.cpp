// SPDX-License-Identifier: MIT
// Manager: migration export and import.
#include <cerrno>

#include "vtpm/atomic_file.hpp"
#include "vtpm/manager.hpp"
#include "vtpm/tpm_client.hpp"
#include "vtpm/worker.hpp"

namespace dom::vtpm
{

Result<Platform_key> Manager::platform_key()
{
    auto tpm = HV_TRY(Tpm_client::connect(cfg_.platform_tcti));
    return Platform_key{HV_TRY(tpm.migration_key(cfg_.pcrs))};
}

Result<void> Manager::export_checked(std::string const &uuid, Platform_key const &target,
                                     std::string const &out_path)
{
    auto r = HV_TRY(load(uuid));
    if (auto const run = running(uuid))
        HV_TRY(stop_worker(*run, true));
    ::unlink((dir(uuid) + "/run").c_str());
    Migration_payload payload;
    payload.instance_key = HV_TRY(unwrap(r));

    // From here on the instance never starts on this platform again.
    if (r.status != Record_status::EXPORTING) {
        r.status = Record_status::EXPORTING;
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
    blob.target = target.id();
    blob.uuid = uuid;
    blob.owner = r.owner;
    auto const dh = HV_TRY(ecdh_ephemeral(target.pub));
    blob.ephemeral = dh.ephemeral;
    auto const k = HV_TRY(hkdf_sha256(dh.z, blob.kdf_info()));
    auto const plain = payload.serialize();
    blob.payload = HV_TRY(aead_seal(k, blob.header_aad(), to_bytes(plain)));
    HV_TRY(write_atomic(out_path, blob.serialize()));
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
    Instance_record const r{blob.uuid, blob.owner, std::move(wrapped), Record_status::READY};
    std::fill(payload.instance_key.begin(), payload.instance_key.end(), 0);
    HV_TRY(write_atomic(staging + "/record", r.serialize()));
    HV_TRY(commit_new(staging, blob.uuid));
    return Instance_info{blob.uuid, blob.owner, Instance_status::STOPPED, 0, 0, {}};
}

} // namespace dom::vtpm
