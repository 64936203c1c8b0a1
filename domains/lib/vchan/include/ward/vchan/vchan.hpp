// SPDX-License-Identifier: MIT
// A vchan: two byte rings in shared memory with the libxenvchan layout, plus notifications.
// The API follows libxenvchan / Qubes libvchan (server_init, client_init, read, write, recv,
// send, data_ready, buffer_space, is_open, wait, fd). Spec: docs/vchan.md.
//
// On a host the shared pages are one sealed memfd passed over a Unix socket (SCM_RIGHTS) and the
// notifications are datagrams on that socket. Inside Ward the same API runs over grants and an
// event channel; only the transport differs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "hv/result.hpp"
#include "ward/vchan/error.hpp"
#include "ward/vchan/layout.hpp"

namespace dom::vchan
{

// How the two ends share pages and notify each other; the only choice a caller makes.
enum class Transport
{
    SOCKET, // a host: sealed memfd + Unix socket (docs/vchan.md section 4)
    GRANT,  // inside Ward: gntalloc/gntdev grants, an event channel, the store (section 5)
};

// Where the two ends meet. On a host: $dir/vchan.<server>.<client>.<port>.sock (the
// vchan-socket naming); inside Ward: /local/domain/<server>/data/vchan/<client>/<port>, where
// <server> must be the server's own domain id (`dir` is unused).
struct Endpoint
{
    std::string dir;
    unsigned server_domain = 0;
    unsigned client_domain = 0;
    unsigned port = 0;
    Transport transport = Transport::SOCKET;

    std::string socket_path() const;
};

enum class State
{
    DISCONNECTED = 0,
    CONNECTED = 1,
    WAITING = 2,
};

class Vchan
{
  public:
    using Ptr = std::unique_ptr<Vchan>;

    // Publishes a channel and returns at once in state WAITING; the peer is accepted by a later
    // process_events(). The server reads at least `read_min` and writes `write_min` bytes per
    // ring fill (rounded up as libxenvchan does, at most 1 MiB each).
    static hv::Result<Ptr, Error> server_init(Endpoint const &ep, std::size_t read_min,
                                              std::size_t write_min);

    // Connects to a published channel and returns in state WAITING; the shared pages arrive with
    // a later process_events() (or wait()), which validates them before CONNECTED.
    static hv::Result<Ptr, Error> client_init(Endpoint const &ep);

    // Closes: marks our side exited and notifies the peer.
    ~Vchan();
    Vchan(Vchan const &) = delete;
    Vchan &operator=(Vchan const &) = delete;

    // The descriptor to poll for readability; it can change once, when a server accepts.
    int fd() const;

    // Handles everything pending on fd() without blocking: accepting, receiving and checking the
    // pages, notifications, shared memory objects, peer exit. An error means the channel is
    // closed (a protocol error also means the peer is hostile).
    hv::Result<void, Error> process_events();

    // Blocks until an event arrives or `timeout_ms` passes (-1 = forever), then processes it.
    hv::Result<void, Error> wait(int timeout_ms);

    State state() const;
    bool is_open() const { return state() != State::DISCONNECTED; }
    bool server() const { return server_; }

    // Bytes that can be read / written now; 0 unless connected.
    std::size_t data_ready() const;
    std::size_t buffer_space() const;

    // Stream API: as many bytes as possible, perhaps none.
    hv::Result<std::size_t, Error> read(void *buf, std::size_t len);
    hv::Result<std::size_t, Error> write(void const *buf, std::size_t len);
    // Packet API: all or nothing (WOULD_BLOCK if it does not fit / is not there yet).
    hv::Result<void, Error> recv(void *buf, std::size_t len);
    hv::Result<void, Error> send(void const *buf, std::size_t len);

    // Ring sizes in bytes (after connection).
    std::size_t read_capacity() const;
    std::size_t write_capacity() const;

    // Host stand-in for granting extra pages (window buffers): passes a sealed memfd to the peer
    // and returns the handle the peer will know it by (handles count up from 1 per channel).
    // Socket transport only (INVALID_ARGUMENT over grants, not done yet).
    hv::Result<uint32_t, Error> share_memory(int memfd);
    // Takes ownership of the memfd the peer shared under `handle`; BAD_MEMORY if there is none.
    hv::Result<int, Error> take_memory(uint32_t handle);

  private:
    struct Impl;
    explicit Vchan(bool server);
    hv::Result<void, Error> attach_pages(int memfd);
    hv::Result<void, Error> attach_grants();
    hv::Result<void, Error> finish_attach(unsigned lo, unsigned ro, uint8_t *left, uint8_t *right);
    void kick_peer();
    // The peer's live byte says it exited (it will neither read nor kick again).
    bool peer_exited() const;
    void request_notify(uint8_t bit);
    hv::Result<void, Error> notify_peer(uint8_t bit);
    void close_channel();

    bool server_;
    std::unique_ptr<Impl> impl_;
};

} // namespace dom::vchan
