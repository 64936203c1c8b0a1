// SPDX-License-Identifier: MIT
// Errors of the vTPM manager: a code for callers to branch on plus a message for the operator.
#pragma once

#include <string>

#include "hv/result.hpp"

namespace dom::vtpm
{

enum class Errc
{
    BAD_INPUT,      // malformed argument or file field
    IO,             // a file system call failed
    CORRUPT,        // a stored file does not parse or does not authenticate
    PCR_MISMATCH,   // platform PCRs differ from those the manager key is sealed to
    WRONG_DOMAIN,   // a domain asked for an instance bound to another identity
    WRONG_PLATFORM, // a migration blob addressed to another platform
    NOT_FOUND,
    EXISTS,
    BAD_STATE, // operation not allowed in the instance's current state
    TPM,       // the platform TPM or a vTPM returned an error
    WORKER,    // the swtpm worker could not be started or controlled
    CRYPTO,    // OpenSSL failure or authentication failure
    BUSY,      // another manager holds the lock
    REPLAYED,  // a migration blob whose export id this platform already consumed
};

char const *errc_name(Errc c);

struct Error
{
    Errc code{Errc::BAD_INPUT};
    std::string message;
};

template <typename T> using Result = hv::Result<T, Error>;

inline hv::Unexpected<Error> fail(Errc c, std::string msg)
{
    return hv::unexpected(Error{c, std::move(msg)});
}

} // namespace dom::vtpm
