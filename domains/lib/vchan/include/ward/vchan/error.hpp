// SPDX-License-Identifier: MIT
// Errors of the vchan library, as values.
#pragma once

#include <string>

namespace dom::vchan
{

enum class Error
{
    INVALID_ARGUMENT, // a size, order or path the caller passed is out of range
    SYSTEM,           // an OS call failed (errno is logged by the caller if it cares)
    NOT_CONNECTED,    // no peer yet
    CLOSED,           // the peer closed or went away
    PROTOCOL,         // the peer broke the ring or transport protocol (bad index, order, page)
    WOULD_BLOCK,      // all-or-nothing send/recv could not complete now
    LIMIT,            // the peer exceeded a resource limit (shared memory objects)
    BAD_MEMORY,       // a shared memory object is missing, unsealed or of the wrong size
    REFUSED,          // the hypervisor refused a grant map or event-channel bind (ACM policy)
};

constexpr char const *to_string(Error e)
{
    switch (e) {
    case Error::INVALID_ARGUMENT: return "invalid argument";
    case Error::SYSTEM: return "system call failed";
    case Error::NOT_CONNECTED: return "not connected";
    case Error::CLOSED: return "peer closed";
    case Error::PROTOCOL: return "peer violated the vchan protocol";
    case Error::WOULD_BLOCK: return "would block";
    case Error::LIMIT: return "peer exceeded a limit";
    case Error::BAD_MEMORY: return "bad shared memory object";
    case Error::REFUSED: return "refused by the hypervisor";
    }
    return "?";
}

// The OS-level reason of the last SYSTEM, REFUSED or NOT_CONNECTED error of the grant
// transport on this thread (the device call and errno, or the store's error name), like errno.
std::string const &last_error_detail();
void set_error_detail(std::string detail);

} // namespace dom::vchan
