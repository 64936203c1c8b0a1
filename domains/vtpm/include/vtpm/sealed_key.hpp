// SPDX-License-Identifier: MIT
// The manager key's file (manager.seal): the TPM sealed object plus the PCR selection and the
// PCR values it was sealed at, kept so a refusal can say which PCRs changed. The values are
// diagnostic only; the TPM's policy check is what protects the key. Pure.
#pragma once

#include "vtpm/pcr.hpp"
#include "vtpm/tpm_client.hpp"

namespace dom::vtpm
{

struct Sealed_key_file
{
    Pcr_selection pcrs;
    Pcr_values values;
    Sealed_object object;

    std::string serialize() const;
    static Result<Sealed_key_file> parse(std::string const &text);
};

} // namespace dom::vtpm
