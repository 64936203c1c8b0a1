// SPDX-License-Identifier: MIT
// ward-vtpm, the vTPM manager: creates, starts, stops, destroys, lists, exports and imports
// per-domain TPM 2.0 instances. Each instance is one swtpm worker; its state is encrypted with
// its own key; instance keys are wrapped (AES-256-GCM, bound to uuid + owner identity) by the
// manager key, which is sealed in the platform TPM to the platform PCRs.
//
// On-disk layout under the root (docs/vtpm.md):
//   lock                 flock: one manager per root
//   audit.log            one line per refusal and per key event (append-only)
//   manager.seal         Sealed_key_file
//   instances/<uuid>/    record, state/ (swtpm files), run (while started), worker.log
//   instances/.new-*     creations or imports in progress (removed at open)
//   instances/.gone-*    destructions in progress (removed at open)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vtpm/ledger.hpp"
#include "vtpm/migration.hpp"
#include "vtpm/pcr.hpp"
#include "vtpm/record.hpp"
#include "vtpm/transport.hpp"

namespace dom::vtpm
{

struct Manager_config
{
    std::string root;          // absolute path
    std::string platform_tcti; // e.g. swtpm:host=127.0.0.1,port=2321
    Pcr_selection pcrs;        // platform PCRs the manager key is sealed to
    std::string swtpm{"swtpm"};
};

enum class Instance_status
{
    STOPPED,
    RUNNING,
    EXPORTING,
    CORRUPT,
};
char const *status_name(Instance_status s);

struct Instance_info
{
    std::string uuid;
    Domain_identity owner;
    Instance_status status{Instance_status::STOPPED};
    unsigned port{0};    // when RUNNING
    int pid{0};          // when RUNNING
    std::string problem; // when CORRUPT
};

enum class Start_mode
{
    RESUME, // keep the saved volatile state (PCRs) from the last stop
    RESET,  // power-on: PCRs zero, ready for the builder's launch measurement
};

class Manager
{
  public:
    // Opens (or initialises) the root: takes the lock, unseals the manager key (first run: makes
    // and seals one), and clears the leftovers of interrupted operations. PCR_MISMATCH names
    // the PCRs that differ; BUSY if another manager holds the root.
    static Result<std::unique_ptr<Manager>> open(Manager_config cfg);
    ~Manager();

    Result<Instance_info> create(Domain_identity const &owner);
    // Starts the instance's worker for `requester`, which must be its owner (WRONG_DOMAIN).
    Result<Endpoint> start(std::string const &uuid, Domain_identity const &requester,
                           Start_mode mode);
    // Moves a stopped instance to a new identity (after a kernel or label update approved by
    // the toolstack): `current` must be its owner; the key is re-wrapped under the new binding.
    Result<void> rebind(std::string const &uuid, Domain_identity const &current,
                        Domain_identity const &next);
    // The endpoint of a running instance, for its owner only.
    Result<Endpoint> attach(std::string const &uuid, Domain_identity const &requester);
    // Saves volatile state and stops the worker. Stopping a stopped instance is fine.
    Result<void> stop(std::string const &uuid);
    Result<void> destroy(std::string const &uuid);
    std::vector<Instance_info> list();
    Result<Instance_info> info(std::string const &uuid);

    // This platform's migration public key (to hand to platforms that export to it).
    Result<Platform_key> platform_key();
    // Stops the instance, writes a blob only `target` can open to `out_path`, records the export
    // in the ledger, then destroys the instance here. The record is marked exporting first (with
    // a fresh export id and the target), so after a crash the instance can never start here
    // again; running export again (to the same target only: BAD_STATE otherwise) finishes the
    // job with the same export id. NOT_FOUND names the export of an instance already gone.
    Result<void> export_instance(std::string const &uuid, Platform_key const &target,
                                 std::string const &out_path);
    // WRONG_PLATFORM for a blob addressed to another platform, CORRUPT if it does not
    // authenticate, EXISTS if the instance is already here, REPLAYED if this platform already
    // imported that blob's export (the ledger): every blob opens at most once per platform.
    Result<Instance_info> import_instance(std::string const &blob_path);

    std::string const &root() const { return cfg_.root; }

  private:
    Manager(Manager_config cfg, Key256 key, int lock_fd);
    Result<Endpoint> start_checked(std::string const &uuid, Domain_identity const &requester,
                                   Start_mode mode);
    Result<Endpoint> attach_checked(std::string const &uuid, Domain_identity const &requester);
    Result<void> export_checked(std::string const &uuid, Platform_key const &target,
                                std::string const &out_path);
    Result<Instance_info> import_checked(std::string const &blob_path);
    std::string dir(std::string const &uuid) const;
    Result<Instance_record> load(std::string const &uuid) const;
    Result<Key256> unwrap(Instance_record const &r) const;
    Result<Bytes> wrap(std::string const &uuid, Domain_identity const &owner,
                       Key256 const &key) const;
    Result<void> commit_new(std::string const &staging, std::string const &uuid);
    std::optional<Run_info> running(std::string const &uuid) const;
    void recover();
    // After a crash: records the origin of every imported instance in the ledger, and finishes
    // exports whose blob was written and recorded (instance EXPORTING, id in the ledger).
    void recover_migrations();
    Result<Migration_ledger> load_ledger() const;
    Result<void> save_ledger(Migration_ledger const &l) const;

    Manager_config cfg_;
    Key256 key_;
    int lock_fd_;
};

} // namespace dom::vtpm
