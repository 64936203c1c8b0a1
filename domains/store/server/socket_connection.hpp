// SPDX-License-Identifier: MIT
// A Unix-socket client: privileged (dom0), as on C xenstored's socket.
#pragma once

#include "connection.hpp"

namespace dom::store
{

class Socket_connection final : public Connection
{
  public:
    explicit Socket_connection(int fd) : fd_{fd} {}
    ~Socket_connection() override;
    int fd() const override { return fd_; }
    bool pull() override;
    bool push() override;

  private:
    int fd_;
};

// Creates a listening socket at `path` (replacing a stale one). Returns the fd or -errno.
int listen_unix(std::string const &path);

} // namespace dom::store
