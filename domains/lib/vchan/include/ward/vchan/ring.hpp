// SPDX-License-Identifier: MIT
// One direction of a vchan: a power-of-two byte ring with free-running producer and consumer
// indexes in shared memory. The peer is not trusted: each side keeps its own index privately
// and checks the peer's index on every access.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hv/result.hpp"
#include "ward/vchan/error.hpp"
#include "ward/vchan/layout.hpp"

namespace dom::vchan
{

class Ring
{
  public:
    Ring() = default;
    // `size` must be a power of two; `data` must hold `size` bytes.
    Ring(Ring_shared *shared, uint8_t *data, uint32_t size, bool reader);

    // Reader side.
    hv::Result<std::size_t, Error> readable() const;
    hv::Result<std::size_t, Error> read(void *buf, std::size_t len); // up to len bytes

    // Writer side.
    hv::Result<std::size_t, Error> writable() const;
    hv::Result<std::size_t, Error> write(void const *buf, std::size_t len); // up to len bytes

    uint32_t size() const { return size_; }

  private:
    Ring_shared *shared_ = nullptr;
    uint8_t *data_ = nullptr;
    uint32_t size_ = 0;
    uint32_t own_ = 0; // our index (cons for a reader, prod for a writer), never read back
};

} // namespace dom::vchan
