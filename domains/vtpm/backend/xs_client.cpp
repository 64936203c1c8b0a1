// SPDX-License-Identifier: MIT
#include "xs_client.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace dom::vtpm::backend
{

namespace
{

constexpr std::uint32_t XS_DIRECTORY = 1;
constexpr std::uint32_t XS_READ = 2;
constexpr std::uint32_t XS_WATCH = 4;
constexpr std::uint32_t XS_UNWATCH = 5;
constexpr std::uint32_t XS_WRITE = 11;
constexpr std::uint32_t XS_WATCH_EVENT = 15;
constexpr std::uint32_t XS_ERROR = 16;
constexpr std::uint32_t XS_PAYLOAD_MAX = 4096;

struct Header
{
    std::uint32_t type;
    std::uint32_t req_id;
    std::uint32_t tx_id;
    std::uint32_t len;
};

std::string strip_nul(std::string s)
{
    while (!s.empty() && s.back() == '\0')
        s.pop_back();
    return s;
}

} // namespace

Xs_result<Xs_client> Xs_client::open(char const *path)
{
    int const fd = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return hv::unexpected(std::string("open ") + path + ": " + std::strerror(errno));
    return Xs_client{fd};
}

Xs_client::Xs_client(Xs_client &&o) noexcept
    : fd_{o.fd_}, next_req_{o.next_req_}, in_{std::move(o.in_)}, replies_{std::move(o.replies_)},
      events_{std::move(o.events_)}
{
    o.fd_ = -1;
}

Xs_client::~Xs_client()
{
    if (fd_ >= 0)
        ::close(fd_);
}

// Reads once (blocking or not) and splits whole messages into replies and watch events.
Xs_result<bool> Xs_client::read_some(bool block)
{
    if (!block) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0)
            return false;
    }
    char buf[8192];
    ssize_t n;
    do
        n = ::read(fd_, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return hv::unexpected(std::string("read /dev/xen/xenbus: ") +
                              (n == 0 ? "end of file" : std::strerror(errno)));
    in_.append(buf, static_cast<std::size_t>(n));
    while (in_.size() >= sizeof(Header)) {
        Header h;
        std::memcpy(&h, in_.data(), sizeof h);
        if (h.len > XS_PAYLOAD_MAX)
            return hv::unexpected(std::string("xenbus: oversized message"));
        if (in_.size() < sizeof h + h.len)
            break;
        Reply r{h.type, in_.substr(sizeof h, h.len)};
        in_.erase(0, sizeof h + h.len);
        if (r.type == XS_WATCH_EVENT)
            events_.push_back(strip_nul(r.payload.substr(0, r.payload.find('\0'))));
        else
            replies_.emplace_back(h.req_id, std::move(r));
    }
    return true;
}

std::optional<Xs_client::Reply> Xs_client::take_message(std::uint32_t req_id)
{
    for (auto it = replies_.begin(); it != replies_.end(); ++it)
        if (it->first == req_id) {
            Reply r = std::move(it->second);
            replies_.erase(it);
            return r;
        }
    return std::nullopt;
}

Xs_result<Xs_client::Reply> Xs_client::request(std::uint32_t type, std::string const &payload)
{
    if (payload.size() > XS_PAYLOAD_MAX)
        return hv::unexpected(std::string("xenbus: request too long"));
    std::uint32_t const id = next_req_++;
    Header const h{type, id, 0, static_cast<std::uint32_t>(payload.size())};
    std::string msg(reinterpret_cast<char const *>(&h), sizeof h);
    msg += payload;
    ssize_t n;
    do
        n = ::write(fd_, msg.data(), msg.size());
    while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(msg.size()))
        return hv::unexpected(std::string("write /dev/xen/xenbus: ") + std::strerror(errno));
    for (;;) {
        if (auto r = take_message(id))
            return std::move(*r);
        HV_TRY(read_some(true));
    }
}

Xs_result<std::optional<std::string>> Xs_client::read(std::string const &path)
{
    auto r = HV_TRY(request(XS_READ, path + '\0'));
    if (r.type == XS_ERROR) {
        auto const e = strip_nul(r.payload);
        if (e == "ENOENT")
            return std::optional<std::string>{};
        return hv::unexpected("read " + path + ": " + e);
    }
    return std::optional<std::string>{strip_nul(std::move(r.payload))};
}

Xs_result<std::optional<std::vector<std::string>>> Xs_client::directory(std::string const &path)
{
    auto r = HV_TRY(request(XS_DIRECTORY, path + '\0'));
    if (r.type == XS_ERROR) {
        auto const e = strip_nul(r.payload);
        if (e == "ENOENT")
            return std::optional<std::vector<std::string>>{};
        return hv::unexpected("directory " + path + ": " + e);
    }
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < r.payload.size()) {
        auto const end = r.payload.find('\0', at);
        auto const stop = end == std::string::npos ? r.payload.size() : end;
        if (stop > at)
            out.push_back(r.payload.substr(at, stop - at));
        at = stop + 1;
    }
    return std::optional<std::vector<std::string>>{std::move(out)};
}

Xs_result<void> Xs_client::write(std::string const &path, std::string const &value)
{
    auto const r = HV_TRY(request(XS_WRITE, path + '\0' + value));
    if (r.type == XS_ERROR)
        return hv::unexpected("write " + path + ": " + strip_nul(r.payload));
    return {};
}

Xs_result<void> Xs_client::watch(std::string const &path, std::string const &token)
{
    auto const r = HV_TRY(request(XS_WATCH, path + '\0' + token + '\0'));
    if (r.type == XS_ERROR)
        return hv::unexpected("watch " + path + ": " + strip_nul(r.payload));
    return {};
}

Xs_result<void> Xs_client::unwatch(std::string const &path, std::string const &token)
{
    auto const r = HV_TRY(request(XS_UNWATCH, path + '\0' + token + '\0'));
    if (r.type == XS_ERROR)
        return hv::unexpected("unwatch " + path + ": " + strip_nul(r.payload));
    return {};
}

Xs_result<void> Xs_client::pump()
{
    while (HV_TRY(read_some(false))) {
    }
    return {};
}

std::vector<std::string> Xs_client::take_events()
{
    return std::exchange(events_, {});
}

} // namespace dom::vtpm::backend
