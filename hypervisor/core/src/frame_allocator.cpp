// SPDX-License-Identifier: MIT
// Bitmap frame allocator; see frame_allocator.hpp.
#include "hv/frame_allocator.hpp"

#include <bit>

#include "hv/bytes.hpp"

namespace hv
{

Result<Frame_allocator, Frame_allocator::Error> Frame_allocator::create(std::span<uint64_t> storage,
                                                                        uint64_t end)
{
    size_t const words = storage_words(end) / 2;
    if (storage.size() < 2 * words)
        return unexpected(Error::STORAGE_TOO_SMALL);
    Frame_allocator a;
    a.free_ = storage.first(words);
    a.managed_ = storage.subspan(words, words);
    for (uint64_t &w : storage.first(2 * words))
        w = 0;
    a.frames_ = end / FRAME_SIZE; // a partial last frame is never RAM we can hand out
    return a;
}

bool Frame_allocator::test(std::span<uint64_t const> map, uint64_t frame) const
{
    return (map[frame / 64] >> (frame % 64) & 1) != 0;
}

void Frame_allocator::set(std::span<uint64_t> map, uint64_t frame, bool on)
{
    uint64_t const bit = uint64_t{1} << (frame % 64);
    map[frame / 64] = on ? map[frame / 64] | bit : map[frame / 64] & ~bit;
}

bool Frame_allocator::frame_reserved(uint64_t frame) const
{
    for (size_t i = 0; i < reserved_count_; ++i)
        if (frame >= reserved_[i].first && frame <= reserved_[i].last)
            return true;
    return false;
}

void Frame_allocator::add_available(uint64_t base, uint64_t length)
{
    if (base > ~uint64_t{0} - FRAME_SIZE)
        return;
    auto const end = range_end(base, length);
    uint64_t const stop = end ? *end / FRAME_SIZE : frames_;
    uint64_t const last = stop < frames_ ? stop : frames_; // exclusive
    for (uint64_t f = align_up(base, FRAME_SIZE) / FRAME_SIZE; f < last; ++f) {
        if (test(managed_, f) || frame_reserved(f))
            continue;
        set(managed_, f, true);
        set(free_, f, true);
        ++managed_count_;
        ++free_count_;
    }
}

Result<void, Frame_allocator::Error> Frame_allocator::reserve(uint64_t base, uint64_t length)
{
    if (length == 0)
        return ok;
    auto const end = range_end(base, length);
    uint64_t const last = end ? (*end - 1) / FRAME_SIZE : ~uint64_t{0} / FRAME_SIZE;
    if (reserved_count_ == MAX_RESERVED)
        return unexpected(Error::TOO_MANY_RESERVED);
    reserved_[reserved_count_++] = {base / FRAME_SIZE, last};
    for (uint64_t f = base / FRAME_SIZE; f <= last && f < frames_; ++f) {
        if (test(free_, f))
            --free_count_;
        if (test(managed_, f))
            --managed_count_;
        set(free_, f, false);
        set(managed_, f, false);
    }
    return ok;
}

void Frame_allocator::take(uint64_t first, uint64_t count)
{
    for (uint64_t f = first; f < first + count; ++f)
        set(free_, f, false);
    free_count_ -= count;
}

// Orders 0..5: the run lies inside one bitmap word.
Result<uint64_t, Frame_allocator::Error> Frame_allocator::alloc_small(unsigned order)
{
    unsigned const n = 1u << order;
    uint64_t const mask = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    for (size_t k = 0; k < free_.size(); ++k) {
        size_t const i = (hint_ + k) % free_.size();
        uint64_t const w = free_[i];
        if (w == 0)
            continue;
        for (unsigned shift = 0; shift < 64; shift += n) {
            if ((w >> shift & mask) != mask)
                continue;
            uint64_t const first = i * 64 + shift;
            if (first + n > frames_)
                break;
            take(first, n);
            if (order == 0)
                hint_ = i;
            return first * FRAME_SIZE;
        }
    }
    return unexpected(Error::OUT_OF_MEMORY);
}

// Orders 6 and up: whole words, aligned to the run's word count.
Result<uint64_t, Frame_allocator::Error> Frame_allocator::alloc_words(unsigned order)
{
    size_t const words = size_t{1} << (order - 6);
    for (size_t i = 0; i + words <= free_.size(); i += words) {
        bool all = true;
        for (size_t j = 0; j < words && all; ++j)
            all = free_[i + j] == ~uint64_t{0};
        if (!all || (i + words) * 64 > frames_)
            continue;
        take(i * 64, words * 64);
        return i * 64 * FRAME_SIZE;
    }
    return unexpected(Error::OUT_OF_MEMORY);
}

Result<uint64_t, Frame_allocator::Error> Frame_allocator::alloc(unsigned order)
{
    if (order > FRAME_ORDER_MAX)
        return unexpected(Error::BAD_ORDER);
    if (free_count_ < (uint64_t{1} << order))
        return unexpected(Error::OUT_OF_MEMORY);
    return order < 6 ? alloc_small(order) : alloc_words(order);
}

Result<void, Frame_allocator::Error> Frame_allocator::free(uint64_t paddr, unsigned order)
{
    if (order > FRAME_ORDER_MAX)
        return unexpected(Error::BAD_ORDER);
    uint64_t const n = uint64_t{1} << order;
    if (paddr % (FRAME_SIZE * n) != 0)
        return unexpected(Error::MISALIGNED);
    uint64_t const first = paddr / FRAME_SIZE;
    if (first >= frames_ || n > frames_ - first)
        return unexpected(Error::OUT_OF_RANGE);
    for (uint64_t f = first; f < first + n; ++f) {
        if (frame_reserved(f))
            return unexpected(Error::RESERVED);
        if (!test(managed_, f))
            return unexpected(Error::NOT_MANAGED);
        if (test(free_, f))
            return unexpected(Error::DOUBLE_FREE);
    }
    for (uint64_t f = first; f < first + n; ++f)
        set(free_, f, true);
    free_count_ += n;
    return ok;
}

bool Frame_allocator::is_free(uint64_t paddr) const
{
    uint64_t const f = paddr / FRAME_SIZE;
    return f < frames_ && test(free_, f);
}

bool Frame_allocator::is_reserved(uint64_t paddr) const
{
    return frame_reserved(paddr / FRAME_SIZE);
}

char const *Frame_allocator::error_name(Error e)
{
    switch (e) {
    case Error::STORAGE_TOO_SMALL: return "frame bitmap storage too small";
    case Error::OUT_OF_MEMORY: return "out of physical memory";
    case Error::MISALIGNED: return "frame address not aligned to its size";
    case Error::OUT_OF_RANGE: return "frame outside the allocator's range";
    case Error::BAD_ORDER: return "frame run order too large";
    case Error::RESERVED: return "frame is reserved";
    case Error::NOT_MANAGED: return "frame is not RAM owned by the allocator";
    case Error::DOUBLE_FREE: return "frame is already free";
    case Error::TOO_MANY_RESERVED: return "too many reserved ranges";
    }
    return "unknown frame allocator error";
}

} // namespace hv
