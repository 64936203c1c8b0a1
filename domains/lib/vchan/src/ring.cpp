// SPDX-License-Identifier: MIT
// Ring arithmetic with untrusted peer indexes (docs/vchan.md, "Rings").
#include "ward/vchan/ring.hpp"

#include <cstring>

namespace dom::vchan
{

namespace
{

uint32_t load_acquire(uint32_t const *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

} // namespace

Ring::Ring(Ring_shared *shared, uint8_t *data, uint32_t size, bool reader)
    : shared_{shared}, data_{data}, size_{size}
{
    own_ = reader ? load_acquire(&shared->cons) : load_acquire(&shared->prod);
}

hv::Result<std::size_t, Error> Ring::readable() const
{
    uint32_t const fill = load_acquire(&shared_->prod) - own_;
    if (fill > size_)
        return hv::unexpected(Error::PROTOCOL);
    return std::size_t{fill};
}

hv::Result<std::size_t, Error> Ring::writable() const
{
    uint32_t const fill = own_ - load_acquire(&shared_->cons);
    if (fill > size_)
        return hv::unexpected(Error::PROTOCOL);
    return std::size_t{size_ - fill};
}

hv::Result<std::size_t, Error> Ring::read(void *buf, std::size_t len)
{
    std::size_t const avail = HV_TRY(readable());
    std::size_t const n = len < avail ? len : avail;
    uint32_t const off = own_ & (size_ - 1);
    std::size_t const first = n < size_ - off ? n : size_ - off;
    auto *out = static_cast<uint8_t *>(buf);
    std::memcpy(out, data_ + off, first);
    std::memcpy(out + first, data_, n - first);
    own_ += static_cast<uint32_t>(n);
    store_release(&shared_->cons, own_);
    return n;
}

hv::Result<std::size_t, Error> Ring::write(void const *buf, std::size_t len)
{
    std::size_t const space = HV_TRY(writable());
    std::size_t const n = len < space ? len : space;
    uint32_t const off = own_ & (size_ - 1);
    std::size_t const first = n < size_ - off ? n : size_ - off;
    auto const *in = static_cast<uint8_t const *>(buf);
    std::memcpy(data_ + off, in, first);
    std::memcpy(data_, in + first, n - first);
    own_ += static_cast<uint32_t>(n);
    store_release(&shared_->prod, own_); // data before index
    return n;
}

} // namespace dom::vchan
