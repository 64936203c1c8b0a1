// SPDX-License-Identifier: MIT
// Physical frame allocator built from the boot memory map. Two bitmaps in caller-provided
// storage (no heap) cover physical [0, end): "managed" (the frame is RAM this allocator owns)
// and "free". Reserved ranges (the hypervisor image, boot modules, the Multiboot2 information,
// the low 1 MiB) are remembered, so they stay out of the allocator whatever the call order, and
// freeing a frame that is reserved, unmanaged or already free is refused.
// Not thread-safe: the kernel holds its own lock around it once there is more than one CPU.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"

namespace hv
{

inline constexpr uint64_t FRAME_SIZE = 4096;
inline constexpr unsigned FRAME_ORDER_2M = 9;
inline constexpr unsigned FRAME_ORDER_MAX = 18; // 1 GiB

class Frame_allocator
{
  public:
    enum class Error : uint8_t
    {
        STORAGE_TOO_SMALL,
        OUT_OF_MEMORY,
        MISALIGNED,
        OUT_OF_RANGE,
        BAD_ORDER,
        RESERVED,
        NOT_MANAGED,
        DOUBLE_FREE,
        TOO_MANY_RESERVED,
    };
    static char const *error_name(Error e);

    static constexpr size_t MAX_RESERVED = 64;

    // 64-bit words of storage needed to cover physical [0, end).
    static constexpr size_t storage_words(uint64_t end)
    {
        uint64_t const frames = (end + FRAME_SIZE - 1) / FRAME_SIZE;
        return 2 * static_cast<size_t>((frames + 63) / 64);
    }

    // Every frame starts unmanaged. `storage` must outlive the allocator.
    static Result<Frame_allocator, Error> create(std::span<uint64_t> storage, uint64_t end);

    // Adds RAM: whole frames inside [base, base + length), clipped to `end`, minus reserved
    // ranges. Overlaps with RAM added before are harmless.
    void add_available(uint64_t base, uint64_t length);

    // Takes every frame touching [base, base + length) out of the allocator, now and later.
    Result<void, Error> reserve(uint64_t base, uint64_t length);

    // 2^order contiguous frames, aligned to their size; returns the physical address.
    Result<uint64_t, Error> alloc(unsigned order = 0);
    Result<void, Error> free(uint64_t paddr, unsigned order = 0);

    uint64_t free_frames() const { return free_count_; }
    uint64_t managed_frames() const { return managed_count_; }
    bool is_free(uint64_t paddr) const;
    bool is_reserved(uint64_t paddr) const;

  private:
    struct Range
    {
        uint64_t first; // frame numbers, inclusive
        uint64_t last;
    };

    bool test(std::span<uint64_t const> map, uint64_t frame) const;
    void set(std::span<uint64_t> map, uint64_t frame, bool on);
    bool frame_reserved(uint64_t frame) const;
    Result<uint64_t, Error> alloc_small(unsigned order);
    Result<uint64_t, Error> alloc_words(unsigned order);
    void take(uint64_t first, uint64_t count);

    std::span<uint64_t> free_;
    std::span<uint64_t> managed_;
    uint64_t frames_ = 0;
    uint64_t free_count_ = 0;
    uint64_t managed_count_ = 0;
    size_t hint_ = 0; // word index where a single-frame search starts
    std::array<Range, MAX_RESERVED> reserved_{};
    size_t reserved_count_ = 0;
};

} // namespace hv
