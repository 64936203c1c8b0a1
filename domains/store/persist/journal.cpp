// SPDX-License-Identifier: MIT
#include "journal.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
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

} // namespace

std::vector<Op> snapshot_ops(Core const &core)
{
    std::vector<Op> ops;
    ops.reserve(core.tree().size() + core.domains().size() + 2);
    core.tree().walk([&](std::string const &path, Node const &n) {
        ops.push_back(Op{Op::Kind::PUT, path, n.value, n.perms});
    });
    for (auto const &[domid, info] : core.domains()) {
        ops.push_back(Op{Op::Kind::INTRODUCE, {}, {}, {}, domid, info.evtchn, info.gfn});
        if (info.target)
            ops.push_back(Op{Op::Kind::SET_TARGET, {}, {}, {}, domid, *info.target});
    }
    for (auto const &[name, perms] : core.special_perms())
        ops.push_back(Op{Op::Kind::SPECIAL_PERMS, name, {}, perms});
    return ops;
}

Journal::~Journal()
{
    if (log_fd_ >= 0)
        ::close(log_fd_);
}

hv::Result<Journal *, std::string> Journal::open(std::string const &dir, Core &core)
{
    HV_TRY(make_dirs(dir));
    auto *j = new Journal{dir};
    if (auto r = j->replay(core); !r) {
        delete j;
        return hv::unexpected(r.error());
    }
    if (auto r = j->compact(core); !r) {
        delete j;
        return hv::unexpected(r.error());
    }
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
    // Whatever follows the last whole record is a write torn by a crash: it was never
    // acknowledged, so it is dropped.
    if (exists && good != log.size() && ::truncate(log_path.c_str(), static_cast<off_t>(good)))
        return hv::unexpected(sys_error("truncate " + log_path));
    return {};
}

hv::Result<void, std::string> Journal::compact(Core const &core)
{
    if (auto r = sync(); !r)
        return r;
    uint64_t const next = gen_ + 1;
    std::string const next_log = dir_ + "/log." + std::to_string(next);
    int const lfd =
        ::open(next_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (lfd < 0)
        return hv::unexpected(sys_error("open " + next_log));
    if (::fsync(lfd) != 0) {
        ::close(lfd);
        return hv::unexpected(sys_error("fsync " + next_log));
    }
    std::string data{MAGIC, 8};
    data.append(reinterpret_cast<char const *>(&next), 8);
    encode_record(snapshot_ops(core), data);
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
    if (log_fd_ >= 0)
        ::close(log_fd_);
    log_fd_ = lfd;
    gen_ = next;
    log_bytes_ = 0;
    snapshot_bytes_ = data.size();
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
    HV_TRY(write_all(log_fd_, pending_, "log"));
    if (::fdatasync(log_fd_) != 0)
        return hv::unexpected(sys_error("fdatasync log"));
    log_bytes_ += pending_.size();
    pending_.clear();
    return {};
}

} // namespace dom::store
