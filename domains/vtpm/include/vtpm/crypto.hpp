// SPDX-License-Identifier: MIT
// The manager's OpenSSL primitives: random keys, SHA-256, AES-256-GCM wrapping, P-256 ECDH and
// HKDF for migration transport keys.
#pragma once

#include <array>

#include "vtpm/bytes.hpp"
#include "vtpm/error.hpp"

namespace dom::vtpm
{

using Key256 = std::array<std::uint8_t, 32>;
using Digest = std::array<std::uint8_t, 32>;

Result<Bytes> random_bytes(std::size_t n);
Result<Key256> random_key();

Digest sha256(std::span<std::uint8_t const> data);

// AES-256-GCM: output is nonce(12) || ciphertext || tag(16); `aad` is authenticated, not stored.
Result<Bytes> aead_seal(Key256 const &key, std::span<std::uint8_t const> aad,
                        std::span<std::uint8_t const> plaintext);
// CRYPTO if the blob is too short or does not authenticate under `key` and `aad`.
Result<Bytes> aead_open(Key256 const &key, std::span<std::uint8_t const> aad,
                        std::span<std::uint8_t const> blob);

// A P-256 public point as two 32-byte big-endian coordinates.
struct Ecc_point
{
    Bytes x, y;
};

struct Ecdh_result
{
    Ecc_point ephemeral; // send this to the key owner
    Bytes z;             // shared x coordinate
};

// Ephemeral-static ECDH against `peer` (validated to be on the curve).
Result<Ecdh_result> ecdh_ephemeral(Ecc_point const &peer);

// HKDF-SHA256 with an empty salt.
Result<Key256> hkdf_sha256(std::span<std::uint8_t const> ikm, std::span<std::uint8_t const> info);

} // namespace dom::vtpm
