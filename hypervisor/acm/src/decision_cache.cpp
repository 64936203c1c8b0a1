// SPDX-License-Identifier: MIT
// Generation-stamped direct-mapped decision cache; see decision_cache.hpp.
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
    size_t const n = slots_.size();
    size_t const i = (n & (n - 1)) == 0 ? (h & (n - 1)) : (h % n);
    return &slots_[i];
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
    Cache_slot const *s = slot(op, a, b);
    if (s != nullptr && generation != 0 && s->generation == generation && s->op == op &&
        s->a == a && s->b == b) {
        ++hits_;
        return swapped ? flipped(op, s->decision) : s->decision;
    }
    ++misses_;
    return std::nullopt;
}

void Decision_cache::store(uint64_t generation, Op op, uint32_t a, uint32_t b, Decision const &d)
{
    bool const swapped = order(op, a, b);
    Cache_slot *s = slot(op, a, b);
    if (s != nullptr)
        *s = Cache_slot{generation, a, b, op, swapped ? flipped(op, d) : d};
}

} // namespace hv::acm
