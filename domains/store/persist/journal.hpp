// SPDX-License-Identifier: MIT
// Durability: a snapshot plus a write-ahead log in the state directory.
//   snapshot      "WARDSNP1", u64 log generation, then one framed record with the whole state
//   log.<gen>     framed records appended after the snapshot was taken, in a segment that is
//                 preallocated with zeros (a zero frame ends the log)
// Group commit: the transport queues every change of one event-loop round with append() and
// calls sync() once before any reply of that round leaves; one fdatasync covers them all.
// With Durability::PROCESS, sync() only write()s the records (they survive kill -9 in the page
// cache) and a flusher thread fdatasyncs them within FLUSH_DELAY. Compaction writes
// snapshot.tmp, fsyncs it, renames it over the snapshot and fsyncs the directory, so a crash at
// any point leaves either the old snapshot with its log or the new one with its new log.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../core/core.hpp"
#include "hv/result.hpp"

namespace dom::store
{

class Journal
{
  public:
    // Zeros written ahead of the log's end, so an fdatasync after an append has no file size
    // or extent change to commit, only the data.
    static constexpr uint64_t SEGMENT = 4u << 20;
    static constexpr std::chrono::milliseconds FLUSH_DELAY{5};

    ~Journal();

    // Opens (creating) `dir`, replays the snapshot and log into `core` (dropping a torn log
    // tail), then compacts. The durability is core.options().durability. Errors are
    // human-readable.
    static hv::Result<Journal *, std::string> open(std::string const &dir, Core &core);

    // Queues records; sync() writes them and (Durability::FULL) fdatasyncs them.
    void append(std::vector<Op> const &ops);
    hv::Result<void, std::string> sync();

    // Writes a fresh snapshot of `core` and starts an empty log.
    hv::Result<void, std::string> compact(Core const &core);
    bool wants_compaction() const;

    uint64_t log_bytes() const { return log_bytes_; }
    uint64_t replayed_records() const { return replayed_; }
    // fdatasync calls on the log so far (tests: group commit).
    uint64_t data_syncs() const { return data_syncs_.load(); }
    Durability durability() const { return durability_; }

  private:
    Journal(std::string dir, Durability d) : dir_{std::move(dir)}, durability_{d} {}
    hv::Result<void, std::string> replay(Core &core);
    hv::Result<void, std::string> extend(uint64_t need);
    void flusher();

    std::string dir_;
    Durability durability_;
    int log_fd_ = -1;
    uint64_t gen_ = 0;
    uint64_t log_bytes_ = 0; // bytes of records in the log
    uint64_t allocated_ = 0; // bytes of the log file (records, then zeros)
    uint64_t snapshot_bytes_ = 0;
    uint64_t replayed_ = 0;
    std::string pending_;
    std::atomic<uint64_t> data_syncs_{0};

    // Durability::PROCESS: the flusher thread and what it shares with the event loop.
    std::thread flusher_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool dirty_ = false;
    bool syncing_ = false;
    bool stopping_ = false;
    std::string flush_error_;
};

// Every op that rebuilds `core`'s state (nodes in parent-first order, domains, per-domain
// quotas set at run time, special perms).
std::vector<Op> snapshot_ops(Core const &core);

} // namespace dom::store
