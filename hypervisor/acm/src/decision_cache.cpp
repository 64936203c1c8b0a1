// SPDX-License-Identifier: MIT
// Generation-stamped two-way set-associative decision cache; see decision_cache.hpp.
#include "hv/acm/decision_cache.hpp"

namespace hv::acm
{

Decision_cache::Decision_cache(std::span<Cache_slot> slots) : slots_{slots}
{
    clear();
}

void Decision_cache::clear()
{
    for (auto &s : slots_)
        s = Cache_slot{};
}

// The first slot of the key's bucket: two adjacent slots (one when there is only one slot).
Cache_slot *Decision_cache::slot(Op op, uint32_t a, uint32_t b)
{
    if (slots_.empty())
        return nullptr;
    uint64_t const key = (uint64_t{a} << 32 | b) ^ (uint64_t(op) << 61);
    // splitmix64's finaliser: every key bit reaches the low bits used as the index.
    uint64_t h = key;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    size_t const buckets = slots_.size() / 2;
    if (buckets == 0)
        return &slots_[0];
    size_t const i = (buckets & (buckets - 1)) == 0 ? (h & (buckets - 1)) : (h % buckets);
    return &slots_[2 * i];
}

namespace
{

// share and coexist are symmetric: they are keyed on the ordered pair, so (a, b) and (b, a)
// meet. A coexist decision names a type of each side, so it is flipped along with the pair.
bool order(Op op, uint32_t &a, uint32_t &b)
{
    if (op == Op::USE || a <= b)
        return false;
    uint32_t const t = a;
    a = b;
    b = t;
    return true;
}

Decision flipped(Op op, Decision d)
{
    if (op == Op::COEXIST) {
        uint16_t const t = d.type_a;
        d.type_a = d.type_b;
        d.type_b = t;
    }
    return d;
}

} // namespace

std::optional<Decision> Decision_cache::lookup(uint64_t generation, Op op, uint32_t a, uint32_t b)
{
    bool const swapped = order(op, a, b);
    Cache_slot *const first = slot(op, a, b);
    size_t const ways = slots_.size() >= 2 ? 2 : slots_.size();
    for (size_t w = 0; w < ways && generation != 0; ++w) {
        Cache_slot const &s = first[w];
        if (s.generation == generation && s.op == op && s.a == a && s.b == b) {
            ++hits_;
            return swapped ? flipped(op, s.decision) : s.decision;
        }
    }
    ++misses_;
    return std::nullopt;
}

// A new entry goes to the front of its bucket; the previous front moves to the back (LRU of
// two), unless it is stale, in which case it is simply replaced.
void Decision_cache::store(uint64_t generation, Op op, uint32_t a, uint32_t b, Decision const &d)
{
    bool const swapped = order(op, a, b);
    Cache_slot *const first = slot(op, a, b);
    if (first == nullptr)
        return;
    Cache_slot const entry{generation, a, b, op, swapped ? flipped(op, d) : d};
    if (slots_.size() >= 2 && first[0].generation == generation &&
        !(first[0].op == op && first[0].a == a && first[0].b == b))
        first[1] = first[0];
    first[0] = entry;
}

} // namespace hv::acm
