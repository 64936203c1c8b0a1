// SPDX-License-Identifier: MIT
#include "socket_connection.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace dom::store
{

Socket_connection::~Socket_connection()
{
    ::close(fd_);
}

bool Socket_connection::pull()
{
    while (input_size() < INPUT_HIGH_WATER) {
        char buf[16384];
        ssize_t const n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            in_.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n == 0)
            return false;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    return true;
}

bool Socket_connection::push()
{
    while (output_size() > 0) {
        ssize_t const n =
            ::send(fd_, out_.data() + out_off_, output_size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            consumed_output(static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
}

int listen_unix(std::string const &path)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        return -ENAMETOOLONG;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int const fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::chmod(path.c_str(), 0600) != 0 || ::listen(fd, 128) != 0) {
        int const e = errno;
        ::close(fd);
        return -e;
    }
    return fd;
}

} // namespace dom::store
