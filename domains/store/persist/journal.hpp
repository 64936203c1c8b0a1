// SPDX-License-Identifier: MIT
// Durability: a snapshot plus a write-ahead log in the state directory.
//   snapshot      "WARDSNP1", u64 log generation, then one framed record with the whole state
//   log.<gen>     framed records appended after the snapshot was taken, each fdatasync'ed
// A reply is released only after its record is on disk (group commit: one fdatasync covers
// every request handled in one event-loop round). Compaction writes snapshot.tmp, fsyncs it,
// renames it over the snapshot and fsyncs the directory, so a crash at any point leaves either
// the old snapshot with its log or the new one with its (new, empty) log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../core/core.hpp"
#include "hv/result.hpp"

namespace dom::store
{

class Journal
{
  public:
    ~Journal();

    // Opens (creating) `dir`, replays the snapshot and log into `core` (dropping a torn log
    // tail), then compacts. Errors are human-readable.
    static hv::Result<Journal *, std::string> open(std::string const &dir, Core &core);

    // Queues records; sync() writes and fdatasyncs them.
    void append(std::vector<Op> const &ops);
    hv::Result<void, std::string> sync();

    // Writes a fresh snapshot of `core` and starts an empty log.
    hv::Result<void, std::string> compact(Core const &core);
    bool wants_compaction() const;

    uint64_t log_bytes() const { return log_bytes_; }
    uint64_t replayed_records() const { return replayed_; }

  private:
    Journal(std::string dir) : dir_{std::move(dir)} {}
    hv::Result<void, std::string> replay(Core &core);

    std::string dir_;
    int log_fd_ = -1;
    uint64_t gen_ = 0;
    uint64_t log_bytes_ = 0;
    uint64_t snapshot_bytes_ = 0;
    uint64_t replayed_ = 0;
    std::string pending_;
};

// Every op that rebuilds `core`'s state (nodes in parent-first order, domains, special perms).
std::vector<Op> snapshot_ops(Core const &core);

} // namespace dom::store
