// SPDX-License-Identifier: MIT
// A two-way set-associative cache of decisions in caller memory (e.g. one per domain, or one for
// the whole hypervisor). Every entry carries the policy generation it was made under; a lookup
// under any other generation misses, so loading a new policy revokes every cached decision at once.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "hv/acm/decision.hpp"

namespace hv::acm
{

enum class Op : uint8_t
{
    SHARE = 1,
    USE = 2,
    COEXIST = 3,
};

struct Cache_slot
{
    uint64_t generation = 0; // 0: empty (generations start at 1)
    uint32_t a = 0;
    uint32_t b = 0;
    Op op = Op::SHARE;
    Decision decision{};
};

class Decision_cache
{
  public:
    // Clears the slots. Any number of slots works (pairs of slots form a bucket; a power-of-two
    // number of buckets hashes by mask).
    explicit Decision_cache(std::span<Cache_slot> slots);

    std::optional<Decision> lookup(uint64_t generation, Op op, uint32_t a, uint32_t b);
    void store(uint64_t generation, Op op, uint32_t a, uint32_t b, Decision const &d);
    void clear();

    uint64_t hits() const { return hits_; }
    uint64_t misses() const { return misses_; }

  private:
    Cache_slot *slot(Op op, uint32_t a, uint32_t b);

    std::span<Cache_slot> slots_;
    uint64_t hits_ = 0;
    uint64_t misses_ = 0;
};

} // namespace hv::acm
