// SPDX-License-Identifier: MIT
// A TPM 2.0 reached through tpm2-tss ESAPI and a TCTI string (the platform TPM, or a vTPM
// instance): PCR reads and extends, sealing to PCRs, and the PCR-bound ECDH key used to receive
// migrations. Every transient object and session is flushed before a call returns, so the TPM's
// few object slots never fill up without a resource manager.
#pragma once

#include <memory>
#include <string>

#include "vtpm/pcr.hpp"

struct ESYS_CONTEXT;
struct TSS2_TCTI_OPAQUE_CONTEXT_BLOB;

namespace dom::vtpm
{

// A sealed object as stored on disk: marshalled TPM2B_PUBLIC and TPM2B_PRIVATE.
struct Sealed_object
{
    Bytes pub, priv;
};

class Tpm_client
{
  public:
    // Loads the TCTI (e.g. "swtpm:host=127.0.0.1,port=2321") and sends TPM2_Startup(CLEAR),
    // tolerating a TPM that is already started. TPM on failure.
    static Result<Tpm_client> connect(std::string const &tcti);

    Tpm_client(Tpm_client &&o) noexcept;
    Tpm_client &operator=(Tpm_client &&o) noexcept;
    Tpm_client(Tpm_client const &) = delete;
    Tpm_client &operator=(Tpm_client const &) = delete;
    ~Tpm_client();

    Result<Pcr_values> read_pcrs(Pcr_selection const &sel);
    Result<void> extend(unsigned pcr, Digest const &digest);

    // Seals `secret` (at most 128 bytes) under the owner hierarchy's ECC storage primary with a
    // PolicyPCR over `sel` at the PCRs' current values.
    Result<Sealed_object> seal(Pcr_selection const &sel, std::span<std::uint8_t const> secret);
    // PCR_MISMATCH if the TPM's policy check fails; TPM or CORRUPT otherwise.
    Result<Bytes> unseal(Sealed_object const &obj, Pcr_selection const &sel);

    // The public half of the owner hierarchy's P-256 ECDH primary whose use is bound to the
    // current values of `sel`. Deterministic for a given TPM and PCR state.
    Result<Ecc_point> migration_key(Pcr_selection const &sel);
    // Z = d * point with that key (TPM2_ECDH_ZGen); returns the x coordinate.
    Result<Bytes> ecdh_zgen(Pcr_selection const &sel, Ecc_point const &point);

  private:
    Tpm_client() = default;
    void close();
    void flush_stale();

    ESYS_CONTEXT *esys_{nullptr};
    TSS2_TCTI_OPAQUE_CONTEXT_BLOB *tcti_{nullptr};
};

// "0x99d (tpm:session(1):a policy check failed)" style text for a TSS2 return code.
std::string tss_error(std::uint32_t rc);

} // namespace dom::vtpm
