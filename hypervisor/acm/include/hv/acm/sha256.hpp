// SPDX-License-Identifier: MIT
// SHA-256 (FIPS 180-4) for the freestanding policy loader: no heap, no libc, streaming.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hv::acm
{

using Digest = std::array<uint8_t, 32>;

class Sha256
{
  public:
    Sha256();

    // Feeds more message bytes; may be called any number of times before finish().
    void update(std::span<std::byte const> data);

    // Pads, returns the digest. The object must not be updated afterwards.
    Digest finish();

    // One-shot convenience.
    static Digest of(std::span<std::byte const> data);

  private:
    void block(uint8_t const *p);

    std::array<uint32_t, 8> state_;
    std::array<uint8_t, 64> buffer_{};
    uint64_t length_ = 0; // bytes hashed so far
    size_t used_ = 0;     // bytes waiting in buffer_
};

} // namespace hv::acm
