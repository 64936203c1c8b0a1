// SPDX-License-Identifier: MIT
// ward::store::Client: a small synchronous XenStore client over wardstore's Unix socket, for
// Ward's services. Errors carry Xen's errno name ("ENOENT", "EAGAIN", ...); "EIO" means the
// store could not be reached. If the store restarts, the client reconnects on its next request
// and registers its watches again (their initial events fire again, as on any new watch).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hv/result.hpp"

namespace ward::store
{

struct Error
{
    std::string name; // "ENOENT", "EACCES", "EAGAIN", ..., or "EIO" for transport failures
};

template <typename T> using Result = hv::Result<T, Error>;

struct Watch_event
{
    std::string path;
    std::string token;
};

class Client
{
  public:
    // Does not connect yet; connect() or the first request does.
    explicit Client(std::string socket_path, int reconnect_timeout_ms = 5000);
    ~Client();
    Client(Client const &) = delete;
    Client &operator=(Client const &) = delete;

    Result<void> connect();

    // tx = 0: outside any transaction.
    Result<std::string> read(std::string_view path, uint32_t tx = 0);
    Result<void> write(std::string_view path, std::string_view value, uint32_t tx = 0);
    Result<void> mkdir(std::string_view path, uint32_t tx = 0);
    Result<void> rm(std::string_view path, uint32_t tx = 0);
    Result<std::vector<std::string>> directory(std::string_view path, uint32_t tx = 0);
    // Permission strings such as "n0", "r5"; the first names the owner.
    Result<std::vector<std::string>> get_perms(std::string_view path, uint32_t tx = 0);
    Result<void> set_perms(std::string_view path, std::vector<std::string> const &perms,
                           uint32_t tx = 0);

    Result<uint32_t> transaction_start();
    // commit = false aborts. A conflicting commit fails with "EAGAIN".
    Result<void> transaction_end(uint32_t tx, bool commit);
    // Runs `body` in a transaction and commits, retrying the whole body on EAGAIN (up to
    // `attempts` times). An error from `body` aborts the transaction and is returned.
    Result<void> transaction(std::function<Result<void>(uint32_t tx)> const &body,
                             int attempts = 100);

    Result<void> watch(std::string_view path, std::string_view token);
    Result<void> unwatch(std::string_view path, std::string_view token);
    // The next watch event, waiting up to timeout_ms (-1 = forever).
    std::optional<Watch_event> wait_event(int timeout_ms);

    Result<std::string> get_domain_path(uint32_t domid);

    // Sends one raw request and returns the reply payload (or its error name).
    Result<std::string> request(uint32_t type, std::string_view payload, uint32_t tx = 0);

  private:
    Result<std::string> exchange(uint32_t type, std::string_view payload, uint32_t tx);
    bool send_all(std::string_view bytes);
    // Reads one message; false on a broken connection or timeout.
    bool read_message(uint32_t &type, uint32_t &req_id, std::string &payload, int timeout_ms);
    bool reconnect();
    void disconnect();

    std::string path_;
    int reconnect_timeout_ms_;
    int fd_ = -1;
    uint32_t next_req_ = 1;
    std::string inbuf_;
    std::deque<Watch_event> events_;
    std::vector<std::pair<std::string, std::string>> watches_;
};

} // namespace ward::store
