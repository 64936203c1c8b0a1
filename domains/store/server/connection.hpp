// SPDX-License-Identifier: MIT
// A transport connection: buffers bytes in and out around the core's Sink interface. Socket
// and ring connections differ only in how bytes move.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

#include "../core/core.hpp"

namespace dom::store
{

// Per-connection limits that keep one client from starving the others.
inline constexpr size_t INPUT_HIGH_WATER = 64 * 1024; // unprocessed request bytes buffered
inline constexpr size_t OUTPUT_HIGH_WATER = 1 << 20;  // stop serving a client that won't read
inline constexpr size_t OUTPUT_LIMIT = 16 << 20;      // then drop it (watch-event flood)

class Connection : public Sink
{
  public:
    ~Connection() override = default;

    // The fd to poll for input (socket, or the event channel's notifier).
    virtual int fd() const = 0;
    // Moves available input into in_ (up to INPUT_HIGH_WATER). False on EOF or error.
    virtual bool pull() = 0;
    // Moves out_ to the peer as far as possible. False on error.
    virtual bool push() = 0;

    void send(Header const &h, std::string_view payload) override;

    // Bytes of unprocessed input / unsent output.
    size_t input_size() const { return in_.size() - in_off_; }
    size_t output_size() const { return out_.size() - out_off_; }
    bool wants_input() const
    {
        return input_size() < INPUT_HIGH_WATER && output_size() < OUTPUT_HIGH_WATER;
    }

    // Requests whose reply has not fully left the store yet (C xenstored's "outstanding"
    // count: a request counts from when it is taken until its reply is written out).
    size_t outstanding();
    // Forgets all queued output (ring reconnection).
    void drop_output();

    // A complete request (or a protocol violation) is waiting in the input buffer.
    bool has_request() const;

    // Handles the next complete request, if any. Returns false on a protocol violation (the
    // connection must be closed); `handled` says whether a request ran.
    bool serve_one(Core &core, bool &handled);

    Conn *conn = nullptr;
    bool dead = false;
    bool polled_in = true;   // EPOLLIN currently registered
    bool polled_out = false; // EPOLLOUT currently registered

  protected:
    void compact_input();
    void consumed_output(size_t n);

    std::string in_;
    size_t in_off_ = 0;
    std::string out_;
    size_t out_off_ = 0;
    uint64_t out_total_ = 0;          // bytes ever queued
    uint64_t sent_total_ = 0;         // bytes ever sent
    std::deque<uint64_t> reply_ends_; // out_total_ at the end of each queued reply
};

} // namespace dom::store
