// SPDX-License-Identifier: MIT
// A window's contents as the guest shares them: a sealed memfd on a host (granted pages inside
// Ward), mapped read-only by the daemon. Pixels never travel through the message stream.
#pragma once

#include <QImage>
#include <cstdint>
#include <memory>

#include "hv/result.hpp"

namespace gvm
{

enum class Buffer_error
{
    NOT_SEALED, // the guest could still shrink it under our mapping
    TOO_SMALL,  // fewer bytes than width * height * 4
    NOT_MAPPED,
};

char const *to_string(Buffer_error e);

class Shared_buffer
{
  public:
    // Takes ownership of `fd` (closed on every path).
    static hv::Result<std::unique_ptr<Shared_buffer>, Buffer_error> map(int fd, uint32_t width,
                                                                        uint32_t height);
    ~Shared_buffer();
    Shared_buffer(Shared_buffer const &) = delete;
    Shared_buffer &operator=(Shared_buffer const &) = delete;

    // A view of the pixels (XRGB8888), valid while this buffer lives.
    QImage const &image() const { return image_; }
    std::size_t bytes() const { return len_; }

  private:
    Shared_buffer() = default;
    void *addr_ = nullptr;
    std::size_t len_ = 0;
    QImage image_;
};

} // namespace gvm
