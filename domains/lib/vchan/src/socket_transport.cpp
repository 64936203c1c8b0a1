// SPDX-License-Identifier: MIT
// Unix-socket transport for vchan on a host: SCM_RIGHTS for pages, datagrams for notifications.
#include "socket_transport.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace dom::vchan::socket
{

namespace
{

hv::Result<sockaddr_un, Error> address(std::string const &path)
{
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(sa.sun_path))
        return hv::unexpected(Error::INVALID_ARGUMENT);
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    return sa;
}

constexpr int SOCK_FLAGS = SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC;

struct Wire
{
    uint8_t tag;
    uint8_t pad[3];
    uint32_t value;
};
static_assert(sizeof(Wire) == 8);

} // namespace

hv::Result<int, Error> listen_at(std::string const &path)
{
    auto const sa = HV_TRY(address(path));
    int const fd = ::socket(AF_UNIX, SOCK_FLAGS, 0);
    if (fd < 0)
        return hv::unexpected(Error::SYSTEM);
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr const *>(&sa), sizeof(sa)) != 0 ||
        ::listen(fd, 1) != 0) {
        ::close(fd);
        return hv::unexpected(Error::SYSTEM);
    }
    return fd;
}

hv::Result<int, Error> connect_to(std::string const &path)
{
    auto const sa = HV_TRY(address(path));
    int const fd = ::socket(AF_UNIX, SOCK_FLAGS, 0);
    if (fd < 0)
        return hv::unexpected(Error::SYSTEM);
    if (::connect(fd, reinterpret_cast<sockaddr const *>(&sa), sizeof(sa)) != 0) {
        int const err = errno;
        ::close(fd);
        return hv::unexpected(err == ENOENT || err == ECONNREFUSED ? Error::NOT_CONNECTED
                                                                   : Error::SYSTEM);
    }
    return fd;
}

hv::Result<std::optional<int>, Error> accept_one(int listen_fd)
{
    int const fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        return std::optional<int>{fd};
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return std::optional<int>{};
    return hv::unexpected(Error::SYSTEM);
}

hv::Result<void, Error> send(int fd, uint8_t tag, uint32_t value, int pass_fd)
{
    Wire w{tag, {}, value};
    iovec iov{&w, sizeof(w)};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))]{};
    if (pass_fd >= 0) {
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    for (;;) {
        if (::sendmsg(fd, &mh, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof(w)))
            return {};
        if (errno == EINTR)
            continue;
        // A full queue of kicks still wakes the peer; anything carrying a descriptor must go.
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && tag == KICK)
            return {};
        return hv::unexpected(errno == EPIPE || errno == ECONNRESET ? Error::CLOSED
                                                                    : Error::SYSTEM);
    }
}

hv::Result<std::optional<Message>, Error> receive(int fd)
{
    Wire w{};
    iovec iov{&w, sizeof(w)};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * 4)]{};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof(cbuf);
    ssize_t n;
    do {
        n = ::recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return std::optional<Message>{};
        return hv::unexpected(Error::CLOSED);
    }
    if (n == 0)
        return hv::unexpected(Error::CLOSED);
    Message m{w.tag, w.value, -1};
    int fds = 0;
    for (cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        std::size_t const count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int passed;
            std::memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (fds++ == 0)
                m.fd = passed;
            else
                ::close(passed);
        }
    }
    bool const bad = n != static_cast<ssize_t>(sizeof(w)) || (mh.msg_flags & MSG_CTRUNC) ||
                     fds > 1 || ((w.tag == PAGES || w.tag == MEMORY) != (fds == 1));
    if (bad) {
        if (m.fd >= 0)
            ::close(m.fd);
        return hv::unexpected(Error::PROTOCOL);
    }
    return std::optional<Message>{m};
}

hv::Result<int, Error> sealed_memfd(char const *name, std::size_t size)
{
    int const fd = ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return hv::unexpected(Error::SYSTEM);
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0 ||
        ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        ::close(fd);
        return hv::unexpected(Error::SYSTEM);
    }
    return fd;
}

hv::Result<std::size_t, Error> check_sealed(int fd, std::size_t min_size)
{
    int const seals = ::fcntl(fd, F_GET_SEALS);
    // Without F_SEAL_SHRINK the peer could truncate the object under our mapping (SIGBUS).
    if (seals < 0 || !(seals & F_SEAL_SHRINK))
        return hv::unexpected(Error::BAD_MEMORY);
    struct stat st
    {};
    if (::fstat(fd, &st) != 0 || st.st_size < 0 || static_cast<std::size_t>(st.st_size) < min_size)
        return hv::unexpected(Error::BAD_MEMORY);
    return static_cast<std::size_t>(st.st_size);
}

} // namespace dom::vchan::socket
