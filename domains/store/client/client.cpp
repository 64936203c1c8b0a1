// SPDX-License-Identifier: MIT
#include "ward/store/client.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "ward/store/wire.hpp"

namespace ward::store
{

namespace
{

using dom::store::Header;
using dom::store::Msg;

constexpr uint32_t type_of(Msg m)
{
    return static_cast<uint32_t>(m);
}

Error eio()
{
    return Error{"EIO"};
}

std::string arg(std::string_view s)
{
    std::string a{s};
    a += '\0';
    return a;
}

std::vector<std::string> split_nul(std::string_view s)
{
    std::vector<std::string> out;
    while (!s.empty()) {
        auto const nul = s.find('\0');
        out.emplace_back(s.substr(0, nul));
        if (nul == std::string_view::npos)
            break;
        s.remove_prefix(nul + 1);
    }
    return out;
}

Result<void> ok_or(Result<std::string> const &r)
{
    if (!r)
        return hv::unexpected(r.error());
    return {};
}

} // namespace

Client::Client(std::string socket_path, int reconnect_timeout_ms)
    : path_{std::move(socket_path)}, reconnect_timeout_ms_{reconnect_timeout_ms}
{}

Client::~Client()
{
    disconnect();
}

void Client::disconnect()
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    inbuf_.clear();
}

Result<void> Client::connect()
{
    disconnect();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof addr.sun_path)
        return hv::unexpected(Error{"EINVAL"});
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    int const fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return hv::unexpected(eio());
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return hv::unexpected(eio());
    }
    fd_ = fd;
    return {};
}

bool Client::reconnect()
{
    auto const deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(reconnect_timeout_ms_);
    for (;;) {
        if (connect()) {
            // Registered watches come back with the connection.
            bool good = true;
            for (auto const &[p, t] : watches_) {
                std::string payload = arg(p) + arg(t);
                uint32_t const id = next_req_++;
                Header const h{type_of(Msg::WATCH), id, 0, static_cast<uint32_t>(payload.size())};
                std::string bytes{reinterpret_cast<char const *>(&h), sizeof h};
                bytes += payload;
                uint32_t type = 0, rid = 0;
                std::string reply;
                good = send_all(bytes);
                while (good && rid != id)
                    good = read_message(type, rid, reply, reconnect_timeout_ms_);
                if (!good)
                    break;
            }
            if (good)
                return true;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

bool Client::send_all(std::string_view bytes)
{
    while (!bytes.empty()) {
        ssize_t const n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

bool Client::read_message(uint32_t &type, uint32_t &req_id, std::string &payload, int timeout_ms)
{
    for (;;) {
        if (inbuf_.size() >= sizeof(Header)) {
            Header h;
            std::memcpy(&h, inbuf_.data(), sizeof h);
            if (h.len > dom::store::PAYLOAD_MAX)
                return false;
            if (inbuf_.size() >= sizeof h + h.len) {
                type = h.type;
                req_id = h.req_id;
                payload.assign(inbuf_, sizeof h, h.len);
                inbuf_.erase(0, sizeof h + h.len);
                if (type == type_of(Msg::WATCH_EVENT)) {
                    auto parts = split_nul(payload);
                    if (parts.size() >= 2)
                        events_.push_back(Watch_event{parts[0], parts[1]});
                }
                return true;
            }
        }
        pollfd p{fd_, POLLIN, 0};
        int const r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        char buf[8192];
        ssize_t const n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        inbuf_.append(buf, static_cast<size_t>(n));
    }
}

Result<std::string> Client::exchange(uint32_t type, std::string_view payload, uint32_t tx)
{
    if (fd_ < 0)
        return hv::unexpected(eio());
    uint32_t const id = next_req_++;
    Header const h{type, id, tx, static_cast<uint32_t>(payload.size())};
    std::string bytes{reinterpret_cast<char const *>(&h), sizeof h};
    bytes += payload;
    if (!send_all(bytes))
        return hv::unexpected(eio());
    for (;;) {
        uint32_t rtype = 0, rid = 0;
        std::string reply;
        if (!read_message(rtype, rid, reply, -1))
            return hv::unexpected(eio());
        if (rtype == type_of(Msg::WATCH_EVENT) || rid != id)
            continue;
        if (rtype == type_of(Msg::ERROR))
            return hv::unexpected(Error{split_nul(reply).empty() ? "EIO" : split_nul(reply)[0]});
        return reply;
    }
}

Result<std::string> Client::request(uint32_t type, std::string_view payload, uint32_t tx)
{
    if (payload.size() > dom::store::PAYLOAD_MAX)
        return hv::unexpected(Error{"E2BIG"});
    if (fd_ < 0 && !reconnect())
        return hv::unexpected(eio());
    auto r = exchange(type, payload, tx);
    if (r || r.error().name != "EIO")
        return r;
    // The store went away. Its transactions died with it: the caller retries the whole
    // transaction. Outside a transaction, requests are repeated once on the new connection.
    disconnect();
    if (!reconnect())
        return hv::unexpected(eio());
    if (tx != 0)
        return hv::unexpected(Error{"EAGAIN"});
    return exchange(type, payload, tx);
}

Result<std::string> Client::read(std::string_view path, uint32_t tx)
{
    return request(type_of(Msg::READ), arg(path), tx);
}

Result<void> Client::write(std::string_view path, std::string_view value, uint32_t tx)
{
    std::string payload = arg(path);
    payload += value;
    return ok_or(request(type_of(Msg::WRITE), payload, tx));
}

Result<void> Client::mkdir(std::string_view path, uint32_t tx)
{
    return ok_or(request(type_of(Msg::MKDIR), arg(path), tx));
}

Result<void> Client::rm(std::string_view path, uint32_t tx)
{
    return ok_or(request(type_of(Msg::RM), arg(path), tx));
}

Result<std::vector<std::string>> Client::directory(std::string_view path, uint32_t tx)
{
    auto const r = request(type_of(Msg::DIRECTORY), arg(path), tx);
    if (!r)
        return hv::unexpected(r.error());
    return split_nul(*r);
}

Result<std::vector<std::string>> Client::get_perms(std::string_view path, uint32_t tx)
{
    auto const r = request(type_of(Msg::GET_PERMS), arg(path), tx);
    if (!r)
        return hv::unexpected(r.error());
    return split_nul(*r);
}

Result<void> Client::set_perms(std::string_view path, std::vector<std::string> const &perms,
                               uint32_t tx)
{
    std::string payload = arg(path);
    for (auto const &p : perms)
        payload += arg(p);
    return ok_or(request(type_of(Msg::SET_PERMS), payload, tx));
}

Result<uint32_t> Client::transaction_start()
{
    auto const r = request(type_of(Msg::TRANSACTION_START), std::string_view{"", 1}, 0);
    if (!r)
        return hv::unexpected(r.error());
    auto const parts = split_nul(*r);
    if (parts.empty())
        return hv::unexpected(eio());
    char *end = nullptr;
    unsigned long const id = std::strtoul(parts[0].c_str(), &end, 10);
    if (!end || *end != '\0' || id == 0 || id > UINT32_MAX)
        return hv::unexpected(eio());
    return static_cast<uint32_t>(id);
}

Result<void> Client::transaction_end(uint32_t tx, bool commit)
{
    return ok_or(request(type_of(Msg::TRANSACTION_END), arg(commit ? "T" : "F"), tx));
}

Result<void> Client::transaction(std::function<Result<void>(uint32_t tx)> const &body, int attempts)
{
    for (int i = 0; i < attempts; ++i) {
        auto const tx = transaction_start();
        if (!tx)
            return hv::unexpected(tx.error());
        auto const r = body(*tx);
        if (!r) {
            (void)transaction_end(*tx, false);
            if (r.error().name == "EAGAIN")
                continue;
            return r;
        }
        auto const end = transaction_end(*tx, true);
        if (end || end.error().name != "EAGAIN")
            return end;
    }
    return hv::unexpected(Error{"EAGAIN"});
}

Result<void> Client::watch(std::string_view path, std::string_view token)
{
    auto r = ok_or(request(type_of(Msg::WATCH), arg(path) + arg(token), 0));
    if (r)
        watches_.emplace_back(path, token);
    return r;
}

Result<void> Client::unwatch(std::string_view path, std::string_view token)
{
    std::erase_if(watches_, [&](auto const &w) { return w.first == path && w.second == token; });
    return ok_or(request(type_of(Msg::UNWATCH), arg(path) + arg(token), 0));
}

std::optional<Watch_event> Client::wait_event(int timeout_ms)
{
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (events_.empty()) {
        if (fd_ < 0 && !reconnect())
            return std::nullopt;
        int left = -1;
        if (timeout_ms >= 0) {
            auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                deadline - std::chrono::steady_clock::now())
                                .count();
            if (ms < 0)
                return std::nullopt;
            left = static_cast<int>(ms);
        }
        uint32_t type = 0, rid = 0;
        std::string payload;
        if (!read_message(type, rid, payload, left)) {
            pollfd p{fd_, POLLIN, 0};
            // A timeout leaves the connection alone; a broken one is re-established.
            if (::poll(&p, 1, 0) > 0)
                disconnect();
            else if (timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline)
                return std::nullopt;
        }
    }
    Watch_event e = std::move(events_.front());
    events_.pop_front();
    return e;
}

Result<std::string> Client::get_domain_path(uint32_t domid)
{
    auto const r = request(type_of(Msg::GET_DOMAIN_PATH), arg(std::to_string(domid)), 0);
    if (!r)
        return hv::unexpected(r.error());
    return split_nul(*r).at(0);
}

} // namespace ward::store
