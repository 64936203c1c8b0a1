// SPDX-License-Identifier: MIT
// Names of the vTPM manager's error codes, for logs and the CLI.
#include "vtpm/error.hpp"

namespace dom::vtpm
{

char const *errc_name(Errc c)
{
    switch (c) {
    case Errc::BAD_INPUT: return "bad-input";
    case Errc::IO: return "io";
    case Errc::CORRUPT: return "corrupt";
    case Errc::PCR_MISMATCH: return "pcr-mismatch";
    case Errc::WRONG_DOMAIN: return "wrong-domain";
    case Errc::WRONG_PLATFORM: return "wrong-platform";
    case Errc::NOT_FOUND: return "not-found";
    case Errc::EXISTS: return "exists";
    case Errc::BAD_STATE: return "bad-state";
    case Errc::TPM: return "tpm";
    case Errc::WORKER: return "worker";
    case Errc::CRYPTO: return "crypto";
    case Errc::BUSY: return "busy";
    case Errc::REPLAYED: return "replayed";
    }
    return "unknown";
}

} // namespace dom::vtpm
