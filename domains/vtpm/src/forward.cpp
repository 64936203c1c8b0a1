// SPDX-License-Identifier: MIT
// Forwarding one TPM command to a worker's loopback socket.
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtpm/transport.hpp"

namespace dom::vtpm
{

namespace
{

bool send_all(int fd, std::span<std::uint8_t const> b)
{
    while (!b.empty()) {
        auto const n = ::send(fd, b.data(), b.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        b = b.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

bool recv_all(int fd, std::uint8_t *p, std::size_t n)
{
    while (n) {
        auto const r = ::recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

} // namespace

Result<Bytes> forward_command(Endpoint const &ep, std::span<std::uint8_t const> command)
{
    auto const len = HV_TRY(tpm_packet_length(command));
    int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(Errc::WORKER, std::string("socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(ep.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::uint8_t head[10] = {};
    bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
              send_all(fd, command.first(len)) && recv_all(fd, head, sizeof head);
    std::size_t const size = ok ? std::size_t{head[2]} << 24 | std::size_t{head[3]} << 16 |
                                      std::size_t{head[4]} << 8 | head[5]
                                : 0;
    ok = ok && head[0] == 0x80 && (head[1] == 1 || head[1] == 2) && size >= 10 && size <= 65536;
    Bytes resp;
    if (ok) {
        resp.assign(size, 0);
        std::copy(head, head + sizeof head, resp.begin());
        ok = recv_all(fd, resp.data() + sizeof head, size - sizeof head);
    }
    ::close(fd);
    if (!ok)
        return fail(Errc::WORKER,
                    "vTPM " + ep.uuid + ": no valid response on port " + std::to_string(ep.port));
    return resp;
}

} // namespace dom::vtpm
