// SPDX-License-Identifier: MIT
// POSIX implementation of the crash-safe file operations.
#include "vtpm/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dom::vtpm
{

static hv::Unexpected<Error> io_fail(std::string const &what, std::string const &path)
{
    return fail(Errc::IO, what + " " + path + ": " + std::strerror(errno));
}

std::string parent_dir(std::string const &path)
{
    auto const slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

Result<void> fsync_path(std::string const &path)
{
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_fail("open", path);
    int const r = ::fsync(fd);
    ::close(fd);
    if (r != 0)
        return io_fail("fsync", path);
    return {};
}

Result<void> write_atomic(std::string const &path, std::span<std::uint8_t const> data)
{
    std::string const tmp = path + ".tmp";
    int const fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return io_fail("create", tmp);
    std::size_t off = 0;
    while (off < data.size()) {
        auto const n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            auto e = io_fail("write", tmp);
            ::close(fd);
            ::unlink(tmp.c_str());
            return e;
        }
        off += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        auto e = io_fail("fsync", tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return e;
    }
    ::close(fd);
    return rename_durable(tmp, path);
}

Result<void> rename_durable(std::string const &from, std::string const &to)
{
    if (::rename(from.c_str(), to.c_str()) != 0)
        return io_fail("rename to " + to + " from", from);
    return fsync_path(parent_dir(to));
}

Result<Bytes> read_file(std::string const &path, std::size_t limit)
{
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return fail(Errc::NOT_FOUND, path + ": no such file");
        return io_fail("open", path);
    }
    Bytes out;
    std::uint8_t buf[65536];
    for (;;) {
        auto const n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            auto e = io_fail("read", path);
            ::close(fd);
            return e;
        }
        if (n == 0)
            break;
        out.insert(out.end(), buf, buf + n);
        if (out.size() > limit) {
            ::close(fd);
            return fail(Errc::CORRUPT, path + ": larger than " + std::to_string(limit) + " bytes");
        }
    }
    ::close(fd);
    return out;
}

Result<std::string> read_text(std::string const &path, std::size_t limit)
{
    auto const b = HV_TRY(read_file(path, limit));
    return std::string(b.begin(), b.end());
}

Result<void> make_dir(std::string const &path)
{
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return io_fail("mkdir", path);
    return {};
}

Result<void> remove_tree(std::string const &path)
{
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec)
        return fail(Errc::IO, "remove " + path + ": " + ec.message());
    return {};
}

bool exists(std::string const &path)
{
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

void audit(std::string const &path, std::string const &line)
{
    std::time_t const now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string text = std::string(stamp) + " " + line;
    for (auto &c : text)
        if (c == '\n')
            c = ' ';
    text.push_back('\n');
    int const fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    (void)!::write(fd, text.data(), text.size());
    ::close(fd);
}

} // namespace dom::vtpm
