// SPDX-License-Identifier: MIT
// Migration formats: a platform's public migration key, and the blob carrying one instance to
// that platform. The blob's payload is AES-256-GCM under a key only the target platform's TPM
// can derive (ECDH with the target's TPM-resident P-256 key, then HKDF). Pure.
#pragma once

#include <map>
#include <string>

#include "vtpm/crypto.hpp"
#include "vtpm/identity.hpp"

namespace dom::vtpm
{

// A platform's migration public key. Its id is SHA-256(x || y).
struct Platform_key
{
    Ecc_point pub;

    Digest id() const;
    std::string serialize() const;
    static Result<Platform_key> parse(std::string const &text);
};

struct Migration_blob
{
    Digest target{};       // id of the platform the blob is for
    std::string uuid;      // instance id, kept across platforms
    std::string export_id; // fresh per export (valid_export_id); the target consumes it once
    Domain_identity owner;
    Ecc_point ephemeral; // sender's ECDH share
    Bytes payload;       // GCM(transport key, aad = header_aad(), Migration_payload)

    // Everything but the payload, authenticated by the payload's tag.
    Bytes header_aad() const;
    // HKDF info for the transport key: binds the key to the target and the ephemeral share.
    Bytes kdf_info() const;
    std::string serialize() const;
    static Result<Migration_blob> parse(std::string const &text);
};

// The instance key plus swtpm's (still encrypted) state files.
struct Migration_payload
{
    Key256 instance_key{};
    std::map<std::string, Bytes> files; // names from state_file_names() only

    std::string serialize() const;
    static Result<Migration_payload> parse(std::string const &text);
};

// The swtpm TPM 2.0 state files an instance may carry.
bool allowed_state_file(std::string const &name);

} // namespace dom::vtpm
