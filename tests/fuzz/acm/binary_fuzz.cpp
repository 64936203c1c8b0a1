// SPDX-License-Identifier: MIT
// Fuzzes the freestanding binary policy loader. Each input is loaded twice: as given (which
// mostly exercises the digest check) and with its digest recomputed, so the structural checks
// behind the digest are reached. A loaded policy is then walked end to end: every accessor,
// every decision, Chinese Wall tracking and the cache, which must all stay in bounds.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hv/acm/binary_format.hpp"
#include "hv/acm/guard.hpp"
#include "hv/acm/running_types.hpp"
#include "hv/acm/sha256.hpp"

namespace
{

namespace f = hv::acm::format;

volatile uint64_t sink;

void walk(hv::acm::Policy_view const &v)
{
    uint64_t acc = v.name().size + v.version_major() + v.version_minor();
    for (uint32_t t = 0; t < v.ste_type_count(); ++t)
        acc += v.ste_type_name(t).size + v.ste_type_colour(t).value_or(0);
    for (uint32_t t = 0; t < v.cw_type_count(); ++t) {
        acc += v.cw_type_name(t).size;
        auto const sets = v.cw_type_sets(t);
        for (uint32_t i = 0; i < sets.size(); ++i)
            acc += v.conflict_set_name(sets[i]).size;
    }
    for (uint32_t s = 0; s < v.conflict_set_count(); ++s) {
        auto const types = v.conflict_set_types(s);
        for (uint32_t i = 0; i < types.size(); ++i)
            acc += v.cw_type_name(types[i]).size;
    }
    uint32_t const n = v.label_count() < 48 ? v.label_count() : 48;
    for (uint32_t l = 0; l < n; ++l) {
        acc += v.label_name(l).size + v.label_colour(l).value_or(0);
        if (auto const from = v.label_from(l))
            acc += from->size;
        acc += v.find_label(v.label_name(l)).value_or(0);
    }
    hv::acm::Cache_slot slots[32];
    hv::acm::Decision_cache cache{slots};
    std::vector<uint32_t> counts(v.cw_type_count());
    auto running = hv::acm::Running_types::create(v, counts);
    for (uint32_t a = 0; a < n + 1; ++a)
        for (uint32_t b = 0; b < n + 1; ++b) {
            acc += hv::acm::decide_share(v, a, b).allow;
            acc += hv::acm::decide_use(v, a, b).allow;
            acc += hv::acm::decide_coexist(v, a, b).type_b;
            acc += hv::acm::share_revoked(v, a, b, v);
            if (auto const hit = cache.lookup(1, hv::acm::Op::SHARE, a, b))
                acc += hit->allow;
            cache.store(1, hv::acm::Op::SHARE, a, b, hv::acm::decide_share(v, a, b));
        }
    if (running) {
        for (uint32_t l = 0; l < n + 1; ++l)
            acc += running->start(l).allow;
        for (uint32_t l = 0; l < n + 1; ++l)
            acc += running->stop(l).has_value();
    }
    sink = acc;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    std::vector<std::byte> bytes(size);
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::byte>(data[i]);
    if (auto const v = hv::acm::Policy_view::load(bytes))
        walk(*v);
    if (size >= f::HEADER_SIZE) {
        hv::acm::Sha256 h;
        h.update(std::span<std::byte const>{bytes}.first(f::OFF_DIGEST));
        h.update(std::span<std::byte const>{bytes}.subspan(f::HEADER_SIZE));
        auto const d = h.finish();
        for (uint32_t i = 0; i < f::DIGEST_SIZE; ++i)
            bytes[f::OFF_DIGEST + i] = static_cast<std::byte>(d[i]);
        if (auto const v = hv::acm::Policy_view::load(bytes))
            walk(*v);
    }
    return 0;
}
