// SPDX-License-Identifier: MIT
// The host transport of a vchan: a SOCK_SEQPACKET Unix socket carrying one-byte-tagged
// datagrams, some with a memfd attached (docs/vchan.md, "Host transport").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hv/result.hpp"
#include "ward/vchan/error.hpp"

namespace dom::vchan::socket
{

enum Tag : uint8_t
{
    PAGES = 'P',  // server -> client: the control page and rings (memfd attached)
    KICK = 'K',   // event-channel notification
    MEMORY = 'M', // a shared memory object (memfd attached), value = handle
};

struct Message
{
    uint8_t tag = 0;
    uint32_t value = 0;
    int fd = -1; // owned by the receiver when >= 0
};

hv::Result<int, Error> listen_at(std::string const &path);
hv::Result<int, Error> connect_to(std::string const &path);
// Accepts one pending connection; nullopt if none is pending.
hv::Result<std::optional<int>, Error> accept_one(int listen_fd);
hv::Result<void, Error> send(int fd, uint8_t tag, uint32_t value, int pass_fd = -1);
// One datagram, or nullopt if none is pending. CLOSED at end of stream; PROTOCOL for a
// malformed datagram (wrong size, truncated control data, more than one descriptor).
hv::Result<std::optional<Message>, Error> receive(int fd);

// A memfd of `size` bytes sealed against shrinking and growing.
hv::Result<int, Error> sealed_memfd(char const *name, std::size_t size);
// Checks that `fd` is a memfd that can no longer shrink and holds at least `min_size` bytes;
// returns its size.
hv::Result<std::size_t, Error> check_sealed(int fd, std::size_t min_size);

} // namespace dom::vchan::socket
