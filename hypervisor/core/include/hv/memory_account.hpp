// SPDX-License-Identifier: MIT
// Per-domain memory accounting: every frame given to a domain (its RAM, its page tables, its
// shared pages) is charged against a limit fixed at creation (mem= on the module command line
// plus overhead); a charge over the limit is refused before anything is allocated.
// Not thread-safe: the owning domain's lock covers it.
#pragma once

#include <cstdint>

#include "hv/result.hpp"

namespace hv
{

class Memory_account
{
  public:
    enum class Error : uint8_t
    {
        OVER_LIMIT,
        UNDERFLOW, // uncharging more than was charged: a kernel bug, reported not hidden
    };

    static constexpr char const *error_name(Error e)
    {
        return e == Error::OVER_LIMIT ? "domain memory limit reached"
                                      : "uncharging more memory than was charged";
    }

    constexpr explicit Memory_account(uint64_t limit_frames) : limit_{limit_frames} {}

    constexpr Result<void, Error> charge(uint64_t frames)
    {
        if (frames > limit_ - used_)
            return unexpected(Error::OVER_LIMIT);
        used_ += frames;
        if (used_ > peak_)
            peak_ = used_;
        return ok;
    }

    constexpr Result<void, Error> uncharge(uint64_t frames)
    {
        if (frames > used_)
            return unexpected(Error::UNDERFLOW);
        used_ -= frames;
        return ok;
    }

    constexpr uint64_t used() const { return used_; }
    constexpr uint64_t limit() const { return limit_; }
    constexpr uint64_t peak() const { return peak_; }
    constexpr uint64_t available() const { return limit_ - used_; }

  private:
    uint64_t limit_;
    uint64_t used_ = 0;
    uint64_t peak_ = 0;
};

} // namespace hv
