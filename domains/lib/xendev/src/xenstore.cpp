// SPDX-License-Identifier: MIT
#include "ward/xendev/xenstore.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <utility>

namespace dom::xendev
{
namespace
{

constexpr uint32_t XS_DIRECTORY = 1;
constexpr uint32_t XS_READ = 2;
constexpr uint32_t XS_WATCH = 4;
constexpr uint32_t XS_UNWATCH = 5;
constexpr uint32_t XS_WRITE = 11;
constexpr uint32_t XS_MKDIR = 12;
constexpr uint32_t XS_RM = 13;
constexpr uint32_t XS_SET_PERMS = 14;
constexpr uint32_t XS_WATCH_EVENT = 15;
constexpr uint32_t XS_ERROR = 16;
constexpr uint32_t XS_PAYLOAD_MAX = 4096;

struct Header
{
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
};

std::string sys_error(char const *what)
{
    return std::string{what} + ": " + std::strerror(errno);
}

bool write_all(int fd, char const *p, std::size_t n)
{
    while (n > 0) {
        ssize_t const w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// The NUL-separated strings of a payload; empty entries dropped.
std::vector<std::string> split_nul(std::string const &s)
{
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < s.size()) {
        auto const end = s.find('\0', at);
        auto const stop = end == std::string::npos ? s.size() : end;
        if (stop > at)
            out.push_back(s.substr(at, stop - at));
        at = stop + 1;
    }
    return out;
}

} // namespace

Result<Xenstore> Xenstore::open(char const *path)
{
    int const fd = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return hv::unexpected(sys_error(path));
    return Xenstore{fd};
}

Xenstore::Xenstore(Xenstore &&o) noexcept
    : fd_{o.fd_}, req_id_{o.req_id_}, in_{std::move(o.in_)}, reply_{std::move(o.reply_)},
      events_{std::move(o.events_)}
{
    o.fd_ = -1;
}

Xenstore::~Xenstore()
{
    if (fd_ >= 0)
        ::close(fd_);
}

bool Xenstore::missing(std::string const &error)
{
    return error.size() >= 6 && error.compare(error.size() - 6, 6, "ENOENT") == 0;
}

Result<bool> Xenstore::read_some(bool block)
{
    if (!block) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0)
            return false;
    }
    char chunk[XS_PAYLOAD_MAX + sizeof(Header)];
    ssize_t n;
    do
        n = ::read(fd_, chunk, sizeof chunk);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return hv::unexpected(std::string{"read from /dev/xen/xenbus: end of file"});
    if (n < 0)
        return hv::unexpected(sys_error("read from /dev/xen/xenbus"));
    in_.append(chunk, static_cast<std::size_t>(n));
    Header h{};
    while (in_.size() >= sizeof h) {
        std::memcpy(&h, in_.data(), sizeof h);
        if (h.len > XS_PAYLOAD_MAX)
            return hv::unexpected(std::string{"xenstore: oversized message"});
        if (in_.size() < sizeof h + h.len)
            break;
        std::string body = in_.substr(sizeof h, h.len);
        in_.erase(0, sizeof h + h.len);
        if (h.type == XS_WATCH_EVENT) {
            auto parts = split_nul(body);
            if (parts.empty())
                continue; // an event naming no path says nothing
            events_.push_back({parts[0], parts.size() > 1 ? parts[1] : std::string{}});
        } else {
            if (reply_)
                return hv::unexpected(std::string{"xenstore: a reply nobody asked for"});
            reply_ = Reply{h.type, h.req_id, std::move(body)};
        }
    }
    return true;
}

Result<std::string> Xenstore::request(uint32_t type, char const *op, std::string const &path,
                                      std::string const &payload)
{
    if (payload.size() > XS_PAYLOAD_MAX)
        return hv::unexpected(std::string{"xenstore: request too large"});
    if (reply_)
        return hv::unexpected(std::string{"xenstore: a reply nobody asked for"});
    Header const h{type, ++req_id_, 0, static_cast<uint32_t>(payload.size())};
    std::string msg(reinterpret_cast<char const *>(&h), sizeof h);
    msg += payload;
    if (!write_all(fd_, msg.data(), msg.size()))
        return hv::unexpected(sys_error("write to /dev/xen/xenbus"));
    while (!reply_)
        HV_TRY(read_some(true));
    Reply r = std::move(*reply_);
    reply_.reset();
    if (r.type == XS_ERROR) {
        while (!r.body.empty() && r.body.back() == '\0')
            r.body.pop_back();
        return hv::unexpected(std::string{"xenstore "} + op + " " + path + ": " + r.body);
    }
    if (r.type != type || r.req_id != h.req_id)
        return hv::unexpected(std::string{"xenstore "} + op + " " + path + ": unexpected reply");
    return std::move(r.body);
}

Result<std::string> Xenstore::read(std::string const &path)
{
    return request(XS_READ, "read", path, path + '\0');
}

Result<void> Xenstore::write(std::string const &path, std::string const &value)
{
    HV_TRY(request(XS_WRITE, "write", path, path + '\0' + value));
    return {};
}

Result<void> Xenstore::mkdir(std::string const &path)
{
    HV_TRY(request(XS_MKDIR, "mkdir", path, path + '\0'));
    return {};
}

Result<void> Xenstore::rm(std::string const &path)
{
    HV_TRY(request(XS_RM, "rm", path, path + '\0'));
    return {};
}

Result<std::vector<std::string>> Xenstore::directory(std::string const &path)
{
    return split_nul(HV_TRY(request(XS_DIRECTORY, "directory", path, path + '\0')));
}

Result<void> Xenstore::set_perms(std::string const &path, std::vector<std::string> const &perms)
{
    std::string payload = path + '\0';
    for (auto const &p : perms)
        payload += p + '\0';
    HV_TRY(request(XS_SET_PERMS, "set_perms", path, payload));
    return {};
}

Result<void> Xenstore::watch(std::string const &path, std::string const &token)
{
    HV_TRY(request(XS_WATCH, "watch", path, path + '\0' + token + '\0'));
    return {};
}

Result<void> Xenstore::unwatch(std::string const &path, std::string const &token)
{
    HV_TRY(request(XS_UNWATCH, "unwatch", path, path + '\0' + token + '\0'));
    return {};
}

Result<unsigned> Xenstore::own_domid()
{
    std::string const v = HV_TRY(read("domid"));
    char *end = nullptr;
    unsigned long const id = std::strtoul(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || id >= 0x7FF0)
        return hv::unexpected("xenstore: bad domid '" + v + "'");
    return static_cast<unsigned>(id);
}

Result<void> Xenstore::pump()
{
    while (HV_TRY(read_some(false))) {
    }
    if (reply_)
        return hv::unexpected(std::string{"xenstore: a reply nobody asked for"});
    return {};
}

std::vector<Watch_event> Xenstore::take_events()
{
    return std::exchange(events_, {});
}

} // namespace dom::xendev
