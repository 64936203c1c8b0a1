// SPDX-License-Identifier: MIT
// Manager: opening the root, the manager key, and the instance lifecycle.
#include "vtpm/manager.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "vtpm/atomic_file.hpp"
#include "vtpm/sealed_key.hpp"
#include "vtpm/tpm_client.hpp"
#include "vtpm/worker.hpp"

namespace dom::vtpm
{

char const *status_name(Instance_status s)
{
    switch (s) {
    case Instance_status::STOPPED: return "stopped";
    case Instance_status::RUNNING: return "running";
    case Instance_status::EXPORTING: return "exporting";
    case Instance_status::CORRUPT: return "corrupt";
    }
    return "?";
}

static Result<Key256> unseal_or_create(Manager_config const &cfg)
{
    auto tpm = HV_TRY(Tpm_client::connect(cfg.platform_tcti));
    std::string const path = cfg.root + "/manager.seal";
    auto const text = read_text(path, 1 << 20);
    if (!text && text.error().code != Errc::NOT_FOUND)
        return hv::unexpected(text.error());
    if (!text) {
        // First run: a fresh manager key sealed to the PCRs as they are now.
        auto const key = HV_TRY(random_key());
        Sealed_key_file f;
        f.pcrs = cfg.pcrs;
        f.values = HV_TRY(tpm.read_pcrs(cfg.pcrs));
        f.object = HV_TRY(tpm.seal(cfg.pcrs, key));
        HV_TRY(write_atomic(path, f.serialize()));
        return key;
    }
    auto const f = HV_TRY(Sealed_key_file::parse(*text));
    if (f.pcrs.pcrs != cfg.pcrs.pcrs)
        return fail(Errc::BAD_INPUT, "the manager key is sealed to PCRs " + f.pcrs.to_string() +
                                         ", not " + cfg.pcrs.to_string() +
                                         " (reseal is an explicit operation)");
    auto const now = HV_TRY(tpm.read_pcrs(f.pcrs));
    if (!differing_pcrs(f.values, now).empty())
        return fail(Errc::PCR_MISMATCH,
                    "refusing to unseal the manager key: " + describe_pcr_mismatch(f.values, now));
    auto const secret = tpm.unseal(f.object, f.pcrs);
    if (!secret)
        return hv::unexpected(secret.error());
    if (secret->size() != 32)
        return fail(Errc::CORRUPT, "sealed manager key has the wrong size");
    Key256 key{};
    std::copy(secret->begin(), secret->end(), key.begin());
    return key;
}

Result<std::unique_ptr<Manager>> Manager::open(Manager_config cfg)
{
    if (cfg.root.empty() || cfg.root[0] != '/')
        return fail(Errc::BAD_INPUT, "manager root must be an absolute path");
    if (cfg.pcrs.pcrs.empty())
        return fail(Errc::BAD_INPUT, "no platform PCRs selected");
    // One spelling of the root, so a worker's command line always matches (worker_alive).
    cfg.root = std::filesystem::path(cfg.root).lexically_normal().string();
    while (cfg.root.size() > 1 && cfg.root.back() == '/')
        cfg.root.pop_back();
    HV_TRY(make_dir(cfg.root));
    HV_TRY(make_dir(cfg.root + "/instances"));
    std::string const lock = cfg.root + "/lock";
    int const fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(Errc::IO, "open " + lock + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return fail(Errc::BUSY, "another ward-vtpm manager holds " + cfg.root);
    }
    auto const key = unseal_or_create(cfg);
    if (!key) {
        audit(cfg.root + "/audit.log", std::string("refused open: ") + errc_name(key.error().code) +
                                           ": " + key.error().message);
        ::close(fd);
        return hv::unexpected(key.error());
    }
    std::unique_ptr<Manager> m{new Manager(std::move(cfg), *key, fd)};
    m->recover();
    return m;
}

Manager::Manager(Manager_config cfg, Key256 key, int lock_fd)
    : cfg_{std::move(cfg)}, key_{key}, lock_fd_{lock_fd}
{}

Manager::~Manager()
{
    std::fill(key_.begin(), key_.end(), 0);
    ::close(lock_fd_);
}

std::string Manager::dir(std::string const &uuid) const
{
    return cfg_.root + "/instances/" + uuid;
}

void Manager::recover()
{
    std::error_code ec;
    for (auto const &e : std::filesystem::directory_iterator(cfg_.root + "/instances", ec)) {
        auto const name = e.path().filename().string();
        if (name.rfind(".new-", 0) == 0 || name.rfind(".gone-", 0) == 0) {
            (void)remove_tree(e.path().string());
            continue;
        }
        // A worker that died (or a manager that died before recording it) leaves a stale run
        // file: the instance is simply stopped, with the state swtpm last committed.
        if (valid_uuid(name) && !running(name))
            ::unlink((e.path().string() + "/run").c_str());
    }
    recover_migrations();
}

Result<Instance_record> Manager::load(std::string const &uuid) const
{
    if (!valid_uuid(uuid))
        return fail(Errc::BAD_INPUT, "'" + uuid + "' is not an instance id");
    auto const text = read_text(dir(uuid) + "/record", 1 << 16);
    if (!text && text.error().code == Errc::NOT_FOUND)
        return fail(Errc::NOT_FOUND, "no vTPM instance " + uuid);
    if (!text)
        return hv::unexpected(text.error());
    auto r = Instance_record::parse(*text);
    if (!r)
        return fail(Errc::CORRUPT, "instance " + uuid + ": " + r.error().message);
    if (r->uuid != uuid)
        return fail(Errc::CORRUPT, "instance " + uuid + ": record names another instance");
    return r;
}

Result<Key256> Manager::unwrap(Instance_record const &r) const
{
    auto const k = aead_open(key_, binding_aad(r.uuid, r.owner), r.wrapped_key);
    if (!k || k->size() != 32)
        return fail(Errc::CORRUPT, "instance " + r.uuid +
                                       ": key does not authenticate under this manager key "
                                       "(tampered record, or an instance of another platform)");
    Key256 key{};
    std::copy(k->begin(), k->end(), key.begin());
    return key;
}

Result<Bytes> Manager::wrap(std::string const &uuid, Domain_identity const &owner,
                            Key256 const &key) const
{
    return aead_seal(key_, binding_aad(uuid, owner), key);
}

std::optional<Run_info> Manager::running(std::string const &uuid) const
{
    auto const text = read_text(dir(uuid) + "/run", 4096);
    if (!text)
        return std::nullopt;
    auto const run = Run_info::parse(*text);
    if (!run || !worker_alive(run->pid, dir(uuid) + "/state"))
        return std::nullopt;
    return *run;
}

Result<void> Manager::commit_new(std::string const &staging, std::string const &uuid)
{
    HV_TRY(fsync_path(staging + "/state"));
    HV_TRY(fsync_path(staging));
    return rename_durable(staging, dir(uuid));
}

Result<Instance_info> Manager::create(Domain_identity const &owner_in)
{
    auto const owner = HV_TRY(validate_identity(owner_in));
    auto const raw = HV_TRY(random_bytes(16));
    std::string const uuid = format_uuid(std::span<std::uint8_t const, 16>(raw.data(), 16));
    std::string const staging = cfg_.root + "/instances/.new-" + uuid;
    HV_TRY(make_dir(staging));
    HV_TRY(make_dir(staging + "/state"));
    auto const key = HV_TRY(random_key());
    auto wrapped = HV_TRY(wrap(uuid, owner, key));
    Instance_record r;
    r.uuid = uuid;
    r.owner = owner;
    r.wrapped_key = std::move(wrapped);
    HV_TRY(write_atomic(staging + "/record", r.serialize()));
    HV_TRY(commit_new(staging, uuid));
    return Instance_info{uuid, owner, Instance_status::STOPPED, 0, 0, {}};
}

// Every refusal of a domain-facing operation lands in the audit log.
template <typename T>
static Result<T> audited(std::string const &root, std::string const &what, Result<T> r)
{
    if (!r)
        audit(root + "/audit.log",
              "refused " + what + ": " + errc_name(r.error().code) + ": " + r.error().message);
    return r;
}

Result<Endpoint> Manager::start(std::string const &uuid, Domain_identity const &requester,
                                Start_mode mode)
{
    return audited(cfg_.root, "start " + uuid + " for " + requester.domain,
                   start_checked(uuid, requester, mode));
}

Result<Endpoint> Manager::attach(std::string const &uuid, Domain_identity const &requester)
{
    return audited(cfg_.root, "attach " + uuid + " for " + requester.domain,
                   attach_checked(uuid, requester));
}

Result<void> Manager::export_instance(std::string const &uuid, Platform_key const &target,
                                      std::string const &out_path)
{
    return audited(cfg_.root, "export " + uuid, export_checked(uuid, target, out_path));
}

Result<Instance_info> Manager::import_instance(std::string const &blob_path)
{
    return audited(cfg_.root, "import " + blob_path, import_checked(blob_path));
}

Result<Endpoint> Manager::start_checked(std::string const &uuid, Domain_identity const &requester,
                                        Start_mode mode)
{
    auto const r = HV_TRY(load(uuid));
    HV_TRY(check_binding(uuid, r.owner, requester));
    if (r.status != Record_status::READY)
        return fail(Errc::BAD_STATE, "instance " + uuid + " is being exported; it cannot start");
    if (auto const run = running(uuid))
        return fail(Errc::BAD_STATE, "instance " + uuid + " is already running on port " +
                                         std::to_string(run->port));
    Worker_config wc;
    wc.swtpm = cfg_.swtpm;
    wc.state_dir = dir(uuid) + "/state";
    wc.log_path = dir(uuid) + "/worker.log";
    wc.key = HV_TRY(unwrap(r));
    wc.reset = mode == Start_mode::RESET;
    auto const run = start_worker(wc);
    std::fill(wc.key.begin(), wc.key.end(), 0);
    if (!run)
        return fail(run.error().code, "instance " + uuid + ": " + run.error().message);
    auto const written = write_atomic(dir(uuid) + "/run", run->serialize());
    if (!written) {
        (void)stop_worker(*run, true);
        return hv::unexpected(written.error());
    }
    return Endpoint{uuid, run->port};
}

Result<Endpoint> Manager::attach_checked(std::string const &uuid, Domain_identity const &requester)
{
    auto const r = HV_TRY(load(uuid));
    HV_TRY(check_binding(uuid, r.owner, requester));
    auto const run = running(uuid);
    if (!run)
        return fail(Errc::BAD_STATE, "instance " + uuid + " is not running");
    return Endpoint{uuid, run->port};
}

Result<void> Manager::rebind(std::string const &uuid, Domain_identity const &current,
                             Domain_identity const &next_in)
{
    auto r = HV_TRY(audited(cfg_.root, "rebind " + uuid + " for " + current.domain, load(uuid)));
    HV_TRY(audited(cfg_.root, "rebind " + uuid + " for " + current.domain,
                   check_binding(uuid, r.owner, current)));
    auto const next = HV_TRY(validate_identity(next_in));
    if (r.status != Record_status::READY || running(uuid))
        return fail(Errc::BAD_STATE, "instance " + uuid +
                                         " must be stopped (and not exporting) "
                                         "to be rebound");
    auto key = HV_TRY(unwrap(r));
    auto wrapped = wrap(uuid, next, key);
    std::fill(key.begin(), key.end(), 0);
    if (!wrapped)
        return hv::unexpected(wrapped.error());
    r.owner = next;
    r.wrapped_key = std::move(*wrapped);
    HV_TRY(write_atomic(dir(uuid) + "/record", r.serialize()));
    audit(cfg_.root + "/audit.log", "rebound " + uuid + " from " + current.domain + "/" +
                                        current.label + "/" + current.measurement + " to " +
                                        next.domain + "/" + next.label + "/" + next.measurement);
    return {};
}

Result<void> Manager::stop(std::string const &uuid)
{
    HV_TRY(load(uuid));
    if (auto const run = running(uuid))
        HV_TRY(stop_worker(*run, true));
    ::unlink((dir(uuid) + "/run").c_str());
    return {};
}

Result<void> Manager::destroy(std::string const &uuid)
{
    if (!valid_uuid(uuid))
        return fail(Errc::BAD_INPUT, "'" + uuid + "' is not an instance id");
    if (!exists(dir(uuid)))
        return fail(Errc::NOT_FOUND, "no vTPM instance " + uuid);
    if (auto const run = running(uuid))
        (void)stop_worker(*run, false);
    std::string const gone = cfg_.root + "/instances/.gone-" + uuid;
    HV_TRY(rename_durable(dir(uuid), gone));
    return remove_tree(gone);
}

Result<Instance_info> Manager::info(std::string const &uuid)
{
    auto const r = load(uuid);
    if (!r && r.error().code == Errc::CORRUPT)
        return Instance_info{uuid, {}, Instance_status::CORRUPT, 0, 0, r.error().message};
    if (!r)
        return hv::unexpected(r.error());
    Instance_info i{uuid, r->owner, Instance_status::STOPPED, 0, 0, {}};
    if (r->status == Record_status::EXPORTING)
        i.status = Instance_status::EXPORTING;
    else if (auto const run = running(uuid)) {
        i.status = Instance_status::RUNNING;
        i.port = run->port;
        i.pid = run->pid;
    }
    return i;
}

std::vector<Instance_info> Manager::list()
{
    std::vector<std::string> ids;
    std::error_code ec;
    for (auto const &e : std::filesystem::directory_iterator(cfg_.root + "/instances", ec))
        if (valid_uuid(e.path().filename().string()))
            ids.push_back(e.path().filename().string());
    std::sort(ids.begin(), ids.end());
    std::vector<Instance_info> out;
    for (auto const &id : ids)
        if (auto i = info(id))
            out.push_back(*i);
    return out;
}

} // namespace dom::vtpm
