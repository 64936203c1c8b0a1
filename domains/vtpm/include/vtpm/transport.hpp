// SPDX-License-Identifier: MIT
// How a domain reaches its running vTPM. The manager hands an Endpoint (the worker's loopback
// socket) to a transport only after the requester passed check_binding. On a host the domain
// (or test) talks to the worker's socket directly with the swtpm TCTI; inside Ward a tpmif v2
// backend on a grant ring will forward each command from the shared page to the same socket
// (docs/vtpm.md, "Transports").
#pragma once

#include <string>

#include "vtpm/bytes.hpp"
#include "vtpm/error.hpp"

namespace dom::vtpm
{

struct Endpoint
{
    std::string uuid;
    unsigned port{0}; // TPM commands; swtpm control on port + 1

    std::string tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port); }
};

// Length of the TPM 2.0 command or response at the start of `buf` as given by its header
// (tag 0x8001/0x8002, big-endian size), after checking 10 <= size <= max and size <= buf.size().
// A transport uses it to frame guest-supplied packets before forwarding them. Pure.
Result<std::size_t> tpm_packet_length(std::span<std::uint8_t const> buf, std::size_t max = 4096);

// Sends one framed TPM command to a running instance's TPM socket and returns the framed
// response (what a transport backend does per request). WORKER on socket errors or a malformed
// response, BAD_INPUT for a malformed command.
Result<Bytes> forward_command(Endpoint const &ep, std::span<std::uint8_t const> command);

} // namespace dom::vtpm
