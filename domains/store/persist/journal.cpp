// SPDX-License-Identifier: MIT
#include "journal.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.hpp"

namespace dom::store
{

namespace
{

constexpr char MAGIC[8] = {'W', 'A', 'R', 'D', 'S', 'N', 'P', '1'};
constexpr uint64_t MIN_COMPACT_BYTES = 16u << 20;

std::string sys_error(std::string const &what)
{
    return what + ": " + std::strerror(errno);
}

hv::Result<std::string, std::string> read_file(std::string const &path, bool &exists)
{
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        exists = false;
        if (errno == ENOENT)
            return std::string{};
        return hv::unexpected(sys_error("open " + path));
    }
    exists = true;
    std::string data;
    char buf[1 << 16];
    for (;;) {
        ssize_t const n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ::close(fd);
            return hv::unexpected(sys_error("read " + path));
        }
        if (n == 0)
            break;
        data.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return data;
}

hv::Result<void, std::string> write_all(int fd, std::string_view data, std::string const &what)
{
    while (!data.empty()) {
        ssize_t const n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return hv::unexpected(sys_error("write " + what));
        data.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

hv::Result<void, std::string> fsync_dir(std::string const &dir)
{
    int const fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hv::unexpected(sys_error("open " + dir));
    int const r = ::fsync(fd);
    ::close(fd);
    if (r != 0)
        return hv::unexpected(sys_error("fsync " + dir));
    return {};
}

hv::Result<void, std::string> make_dirs(std::string const &dir)
{
    for (size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/')
            continue;
        std::string const part = dir.substr(0, pos);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            return hv::unexpected(sys_error("mkdir " + part));
    }
    return {};
}

// Domains, per-domain quotas set at run time and special permissions: every op of a snapshot
// except the nodes.
std::vector<Op> state_ops(Core const &core)
{
    std::vector<Op> ops;
    for (auto const &[domid, info] : core.domains()) {
        ops.push_back(Op{Op::Kind::INTRODUCE, {}, {}, {}, domid, info.evtchn, info.gfn});
        if (info.target)
            ops.push_back(Op{Op::Kind::SET_TARGET, {}, {}, {}, domid, *info.target});
    }
    for (auto const &[key, value] : core.set_quotas())
        ops.push_back(Op{Op::Kind::QUOTA, key.second, {}, {}, key.first, value});
    for (auto const &[name, perms] : core.special_perms())
        ops.push_back(Op{Op::Kind::SPECIAL_PERMS, name, {}, perms});
    return ops;
}

// The snapshot record, encoded node by node (a vector holding an Op per node would double
// the store's memory while the snapshot is written).
void encode_snapshot(Core const &core, std::string &out)
{
    size_t const start = begin_record(out);
    Op op{Op::Kind::PUT, {}, {}, {}};
    core.tree().walk([&](std::string const &path, Node const &n) {
        op.path = path;
        op.value.assign(n.value.view());
        op.perms = n.perms;
        encode_op(op, out);
    });
    for (auto const &o : state_ops(core))
        encode_op(o, out);
    end_record(out, start);
}

} // namespace

std::vector<Op> snapshot_ops(Core const &core)
{
    std::vector<Op> ops;
    ops.reserve(core.tree().size() + core.domains().size() + 2);
    core.tree().walk([&](std::string const &path, Node const &n) {
        ops.push_back(Op{Op::Kind::PUT, path, n.value.str(), n.perms});
    });
    for (auto &o : state_ops(core))
        ops.push_back(std::move(o));
    return ops;
}

Journal::~Journal()
{
    if (flusher_.joinable()) {
        {
            std::lock_guard lock{mu_};
            stopping_ = true;
        }
        cv_.notify_all();
        flusher_.join(); // it syncs what is dirty before it ends
    }
    if (log_fd_ >= 0)
        ::close(log_fd_);
}

hv::Result<Journal *, std::string> Journal::open(std::string const &dir, Core &core)
{
    HV_TRY(make_dirs(dir));
    auto *j = new Journal{dir, core.options().durability};
    if (auto r = j->replay(core); !r) {
        delete j;
        return hv::unexpected(r.error());
    }
    if (auto r = j->compact(core); !r) {
        delete j;
        return hv::unexpected(r.error());
    }
    if (j->durability_ == Durability::PROCESS)
        j->flusher_ = std::thread{[j] { j->flusher(); }};
    return j;
}

hv::Result<void, std::string> Journal::replay(Core &core)
{
    bool exists = false;
    std::string const snap = HV_TRY(read_file(dir_ + "/snapshot", exists));
    if (exists) {
        if (snap.size() < 16 || std::memcmp(snap.data(), MAGIC, 8) != 0)
            return hv::unexpected(dir_ + "/snapshot: not a wardstore snapshot");
        std::memcpy(&gen_, snap.data() + 8, 8);
        auto const rec = next_record(std::string_view{snap}.substr(16));
        auto const ops = rec ? decode_ops(rec->payload) : std::nullopt;
        if (!ops)
            return hv::unexpected(dir_ + "/snapshot: checksum or format error");
        for (auto const &op : *ops)
            if (!core.apply(op))
                return hv::unexpected(dir_ + "/snapshot: inconsistent record for " + op.path);
        snapshot_bytes_ = snap.size();
    }
    std::string const log_path = dir_ + "/log." + std::to_string(gen_);
    std::string const log = HV_TRY(read_file(log_path, exists));
    size_t good = 0;
    while (auto const rec = next_record(std::string_view{log}.substr(good))) {
        auto const ops = decode_ops(rec->payload);
        if (!ops)
            break;
        for (auto const &op : *ops)
            core.apply(op);
        good += rec->size;
        ++replayed_;
    }
    // Whatever follows the last whole record is the segment's zero fill, or a write torn by a
    // crash that was never acknowledged. This log is never appended to again: open() compacts
    // into a new one at once, so the tail can stay.
    return {};
}

hv::Result<void, std::string> Journal::extend(uint64_t need)
{
    uint64_t target = allocated_;
    while (target < need)
        target += SEGMENT;
    static char const zeros[1 << 16] = {};
    for (uint64_t off = allocated_; off < target;) {
        size_t const n = static_cast<size_t>(std::min<uint64_t>(sizeof zeros, target - off));
        ssize_t const w = ::pwrite(log_fd_, zeros, n, static_cast<off_t>(off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return hv::unexpected(sys_error("preallocate log"));
        off += static_cast<uint64_t>(w);
    }
    allocated_ = target;
    return {};
}

hv::Result<void, std::string> Journal::compact(Core const &core)
{
    if (auto r = sync(); !r)
        return r;
    uint64_t const next = gen_ + 1;
    std::string const next_log = dir_ + "/log." + std::to_string(next);
    int const lfd = ::open(next_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (lfd < 0)
        return hv::unexpected(sys_error("open " + next_log));
    // The new segment is zero-filled and synced before it is used (its size never changes
    // on the hot path).
    int const old_fd = std::exchange(log_fd_, lfd);
    uint64_t const old_allocated = std::exchange(allocated_, 0);
    auto const pre = extend(SEGMENT);
    log_fd_ = old_fd;
    allocated_ = old_allocated;
    if (!pre || ::fsync(lfd) != 0) {
        ::close(lfd);
        return hv::unexpected(pre ? sys_error("fsync " + next_log) : pre.error());
    }
    std::string data{MAGIC, 8};
    data.append(reinterpret_cast<char const *>(&next), 8);
    encode_snapshot(core, data);
    std::string const tmp = dir_ + "/snapshot.tmp";
    int const sfd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (sfd < 0) {
        ::close(lfd);
        return hv::unexpected(sys_error("open " + tmp));
    }
    auto const w = write_all(sfd, data, tmp);
    bool const synced = w && ::fsync(sfd) == 0;
    ::close(sfd);
    if (!synced || ::rename(tmp.c_str(), (dir_ + "/snapshot").c_str()) != 0) {
        ::close(lfd);
        return hv::unexpected(w ? sys_error("commit " + tmp) : w.error());
    }
    if (auto r = fsync_dir(dir_); !r) {
        ::close(lfd);
        return r;
    }
    ::unlink((dir_ + "/log." + std::to_string(gen_)).c_str());
    {
        std::unique_lock lock{mu_}; // the flusher may be syncing the old log
        cv_.wait(lock, [&] { return !syncing_; });
        if (log_fd_ >= 0)
            ::close(log_fd_);
        log_fd_ = lfd;
        dirty_ = false;
    }
    gen_ = next;
    log_bytes_ = 0;
    allocated_ = SEGMENT;
    snapshot_bytes_ = data.size();
    data.clear();
    data.shrink_to_fit();
    ::malloc_trim(0); // the snapshot's buffers are gone: give the pages back
    return {};
}

bool Journal::wants_compaction() const
{
    return log_bytes_ > MIN_COMPACT_BYTES && log_bytes_ > 2 * snapshot_bytes_;
}

void Journal::append(std::vector<Op> const &ops)
{
    if (!ops.empty())
        encode_record(ops, pending_);
}

hv::Result<void, std::string> Journal::sync()
{
    if (pending_.empty())
        return {};
    if (log_bytes_ + pending_.size() > allocated_) {
        // Growing the segment changes the file size: this one sync is a full fsync.
        HV_TRY(extend(log_bytes_ + pending_.size() + SEGMENT));
        if (::fsync(log_fd_) != 0)
            return hv::unexpected(sys_error("fsync log"));
    }
    std::string_view data = pending_;
    for (uint64_t off = log_bytes_; !data.empty();) {
        ssize_t const n = ::pwrite(log_fd_, data.data(), data.size(), static_cast<off_t>(off));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return hv::unexpected(sys_error("write log"));
        data.remove_prefix(static_cast<size_t>(n));
        off += static_cast<uint64_t>(n);
    }
    log_bytes_ += pending_.size();
    pending_.clear();
    if (durability_ == Durability::PROCESS) {
        std::lock_guard lock{mu_};
        if (!flush_error_.empty())
            return hv::unexpected(flush_error_);
        dirty_ = true;
        cv_.notify_all();
        return {};
    }
    if (::fdatasync(log_fd_) != 0)
        return hv::unexpected(sys_error("fdatasync log"));
    ++data_syncs_;
    return {};
}

// Durability::PROCESS: waits for written records, lets more arrive for FLUSH_DELAY, then
// fdatasyncs them all at once.
void Journal::flusher()
{
    std::unique_lock lock{mu_};
    for (;;) {
        cv_.wait(lock, [&] { return dirty_ || stopping_; });
        if (!dirty_ && stopping_)
            return;
        if (!stopping_)
            cv_.wait_for(lock, FLUSH_DELAY, [&] { return stopping_; });
        dirty_ = false;
        int const fd = log_fd_;
        syncing_ = true;
        lock.unlock(); // the event loop keeps writing records meanwhile
        int const r = ::fdatasync(fd);
        lock.lock();
        syncing_ = false;
        if (r != 0)
            flush_error_ = sys_error("fdatasync log");
        ++data_syncs_;
        cv_.notify_all();
    }
}

} // namespace dom::store
