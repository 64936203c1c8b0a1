// SPDX-License-Identifier: MIT
#include "ward/xendev/xenstore.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace dom::xendev
{
namespace
{

constexpr uint32_t XS_READ = 2;
constexpr uint32_t XS_WRITE = 11;
constexpr uint32_t XS_MKDIR = 12;
constexpr uint32_t XS_RM = 13;
constexpr uint32_t XS_SET_PERMS = 14;
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

} // namespace

Result<Xenstore> Xenstore::open(char const *path)
{
    int const fd = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return hv::unexpected(sys_error(path));
    return Xenstore{fd};
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

Result<std::string> Xenstore::request(uint32_t type, char const *op, std::string const &path,
                                      std::string const &payload)
{
    if (payload.size() > XS_PAYLOAD_MAX)
        return hv::unexpected(std::string{"xenstore: request too large"});
    Header const h{type, ++req_id_, 0, static_cast<uint32_t>(payload.size())};
    std::string msg(reinterpret_cast<char const *>(&h), sizeof h);
    msg += payload;
    if (!write_all(fd_, msg.data(), msg.size()))
        return hv::unexpected(sys_error("write to /dev/xen/xenbus"));
    // The device hands back whole replies, but read in a loop anyway.
    std::string buf;
    Header rh{};
    for (;;) {
        char chunk[XS_PAYLOAD_MAX + sizeof(Header)];
        ssize_t const n = ::read(fd_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return hv::unexpected(sys_error("read from /dev/xen/xenbus"));
        buf.append(chunk, static_cast<std::size_t>(n));
        if (buf.size() < sizeof rh)
            continue;
        std::memcpy(&rh, buf.data(), sizeof rh);
        if (rh.len > XS_PAYLOAD_MAX)
            return hv::unexpected(std::string{"xenstore: oversized reply"});
        if (buf.size() >= sizeof rh + rh.len)
            break;
    }
    std::string body = buf.substr(sizeof rh, rh.len);
    if (rh.type == XS_ERROR) {
        while (!body.empty() && body.back() == '\0')
            body.pop_back();
        return hv::unexpected(std::string{"xenstore "} + op + " " + path + ": " + body);
    }
    if (rh.type != type || rh.req_id != h.req_id)
        return hv::unexpected(std::string{"xenstore "} + op + " " + path + ": unexpected reply");
    return body;
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

Result<void> Xenstore::set_perms(std::string const &path, std::vector<std::string> const &perms)
{
    std::string payload = path + '\0';
    for (auto const &p : perms)
        payload += p + '\0';
    HV_TRY(request(XS_SET_PERMS, "set_perms", path, payload));
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

} // namespace dom::xendev
