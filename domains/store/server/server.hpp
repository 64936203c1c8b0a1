// SPDX-License-Identifier: MIT
// wardstore's event loop: one thread, epoll over the Unix socket, its clients and the domains'
// event channels; requests served round-robin, one per connection per round; every round's
// changes made durable (one fdatasync) before any of its replies leave.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "../core/core.hpp"
#include "../persist/journal.hpp"
#include "ring_connection.hpp"

namespace dom::store
{

struct Server_options
{
    std::string socket_path = "/run/ward/xenstored/socket";
    std::string state_dir = "/var/lib/ward/store";
    Core_options core;
};

class Server final : public Domain_hooks
{
  public:
    explicit Server(Server_options opts);
    ~Server() override;

    // Replays the state directory, re-attaches introduced domains' rings (if a provider is
    // set) and starts listening.
    hv::Result<void, std::string> start();
    // Serves until stop(). Returns an error only for a failed fdatasync (nothing more can be
    // acknowledged safely) or epoll failure.
    hv::Result<void, std::string> run();
    // Thread- and async-signal-safe.
    void stop();

    void set_ring_provider(Ring_provider *p) { provider_ = p; }
    Core &core() { return core_; }

    hv::Result<void, Err> attach(uint32_t domid, Domain_info const &info) override;
    void detach(uint32_t domid) override;

  private:
    void add(std::unique_ptr<Connection> c, Caller caller);
    void accept_all();
    void serve_round();
    // Outstanding requests per unprivileged domain, over all its connections.
    std::unordered_map<uint32_t, size_t> outstanding_by_domain();
    // False while a connection's domain is at its outstanding quota, or its output is full.
    bool servable(Connection &c, std::unordered_map<uint32_t, size_t> const &outst) const;
    void update_interest(Connection &c);
    void reap();

    Server_options opts_;
    Core core_;
    std::unique_ptr<Journal> journal_;
    Ring_provider *provider_ = nullptr;
    int epoll_fd_ = -1;
    int listen_fd_ = -1;
    int stop_fd_ = -1;
    std::vector<std::unique_ptr<Connection>> conns_;
    size_t rr_ = 0;
};

} // namespace dom::store
