// SPDX-License-Identifier: MIT
// A small XenStore client over Linux's /dev/xen/xenbus for ward-vtpm-backend (the wire format is
// Xen's io/xs_wire.h: a 16-byte header {type, req_id, tx_id, len} and a payload). Requests block
// until their reply; watch events that arrive meanwhile are queued. Private to the backend until
// the shared xenbus client in domains/lib/xendev lands.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "hv/result.hpp"

namespace dom::vtpm::backend
{

template <typename T> using Xs_result = hv::Result<T, std::string>;

class Xs_client
{
  public:
    static Xs_result<Xs_client> open(char const *path = "/dev/xen/xenbus");
    Xs_client(Xs_client &&o) noexcept;
    Xs_client &operator=(Xs_client &&) = delete;
    ~Xs_client();

    // nullopt when the node does not exist (ENOENT); other refusals are errors.
    Xs_result<std::optional<std::string>> read(std::string const &path);
    Xs_result<std::optional<std::vector<std::string>>> directory(std::string const &path);
    Xs_result<void> write(std::string const &path, std::string const &value);
    Xs_result<void> watch(std::string const &path, std::string const &token);
    Xs_result<void> unwatch(std::string const &path, std::string const &token);

    // Reads whatever the device has (call when fd() is readable); queues watch events.
    Xs_result<void> pump();
    // Takes every queued watch event (path of each); empty if none.
    std::vector<std::string> take_events();
    int fd() const { return fd_; }

  private:
    explicit Xs_client(int fd) : fd_{fd} {}
    struct Reply
    {
        std::uint32_t type;
        std::string payload;
    };
    Xs_result<Reply> request(std::uint32_t type, std::string const &payload);
    Xs_result<bool> read_some(bool block);
    std::optional<Reply> take_message(std::uint32_t req_id);

    int fd_;
    std::uint32_t next_req_ = 1;
    std::string in_;                                      // bytes not yet parsed
    std::deque<std::pair<std::uint32_t, Reply>> replies_; // (req_id, reply)
    std::vector<std::string> events_;
};

} // namespace dom::vtpm::backend
