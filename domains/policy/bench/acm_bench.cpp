// SPDX-License-Identifier: MIT
// ACM benchmark (make bench-acm): for a generated policy of 1,000 STE types, 1,000 CW types
// and 10,000 labels, the XML compile time and binary size, the load (digest + checks) time,
// and decisions per second: uncached, through a warm cache, and through a cold cache (every
// lookup misses because the generation moved, as after a policy reload).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <vector>

#include "generate.hpp"
#include "hv/acm/guard.hpp"
#include "hv/acm/running_types.hpp"
#include "ward/policy/policy.hpp"

namespace
{

struct Fixture
{
    std::string xml = acm_bench::generate_policy_xml(acm_bench::Shape{});
    ward::policy::Policy policy = compiled(xml);
    std::vector<std::pair<uint32_t, uint32_t>> pairs = random_pairs(1u << 20);
    std::vector<std::pair<uint32_t, uint32_t>> wide = service_pairs(1024);

    static ward::policy::Policy compiled(std::string const &xml)
    {
        auto p = ward::policy::Policy::from_xml(xml, "bench.xml");
        if (!p) {
            std::fprintf(stderr, "bench policy does not compile: %s\n",
                         p.error().to_string().c_str());
            std::abort();
        }
        return *std::move(p);
    }

    std::vector<std::pair<uint32_t, uint32_t>> service_pairs(size_t n) const;

    // Random pairs of virtual-machine labels.
    std::vector<std::pair<uint32_t, uint32_t>> random_pairs(size_t n) const
    {
        auto const &v = policy.view();
        std::vector<uint32_t> vms;
        for (uint32_t l = 0; l < v.label_count(); ++l)
            if (v.label_kind(l) == hv::acm::Label_kind::VM)
                vms.push_back(l);
        std::mt19937 rng{7};
        std::vector<std::pair<uint32_t, uint32_t>> out(n);
        for (auto &p : out)
            p = {vms[rng() % vms.size()], vms[rng() % vms.size()]};
        return out;
    }
};

// Pairs of the wide service labels (50 STE types each), where a decision walks long lists.
std::vector<std::pair<uint32_t, uint32_t>> Fixture::service_pairs(size_t n) const
{
    auto const &v = policy.view();
    std::vector<uint32_t> svcs;
    for (uint32_t l = 0; l < v.label_count(); ++l)
        if (v.label_ste(l).size() >= 50)
            svcs.push_back(l);
    std::mt19937 rng{9};
    std::vector<std::pair<uint32_t, uint32_t>> out(n);
    for (auto &p : out)
        p = {svcs[rng() % svcs.size()], svcs[rng() % svcs.size()]};
    return out;
}

Fixture &fixture()
{
    static Fixture f;
    return f;
}

void BM_compile_xml(benchmark::State &state)
{
    auto const &f = fixture();
    size_t bytes = 0;
    for (auto _ : state) {
        auto p = ward::policy::Policy::from_xml(f.xml, "bench.xml");
        bytes = p->binary().size();
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["xml_KiB"] = static_cast<double>(f.xml.size()) / 1024.0;
    state.counters["binary_KiB"] = static_cast<double>(bytes) / 1024.0;
    state.counters["labels"] = f.policy.view().label_count();
    state.counters["ste_types"] = f.policy.view().ste_type_count();
}
BENCHMARK(BM_compile_xml)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_load_binary(benchmark::State &state)
{
    auto const bytes = fixture().policy.binary();
    for (auto _ : state) {
        auto v = hv::acm::Policy_view::load(bytes);
        benchmark::DoNotOptimize(v.has_value());
    }
    state.counters["binary_KiB"] = static_cast<double>(bytes.size()) / 1024.0;
}
BENCHMARK(BM_load_binary)->Unit(benchmark::kMillisecond);

// No cache: the engine's merge of two sorted type lists. Arg = working set of pairs: 1,024
// (the same set as the cached runs, hot in the CPU caches) or 2^20 (label records from memory).
void BM_share_uncached(benchmark::State &state)
{
    auto const &f = fixture();
    auto const &v = f.policy.view();
    size_t const mask = static_cast<size_t>(state.range(0)) - 1;
    size_t i = 0, allowed = 0;
    for (auto _ : state) {
        auto const &[a, b] = f.pairs[i++ & mask];
        allowed += hv::acm::decide_share(v, a, b).allow;
    }
    benchmark::DoNotOptimize(allowed);
    state.SetItemsProcessed(state.iterations());
    state.counters["allow_%"] =
        100.0 * static_cast<double>(allowed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_share_uncached)->Arg(1024)->Arg(1 << 20);

// Warm: a working set of 1,024 pairs in a 4,096-slot cache, asked over and over.
void BM_share_warm_cache(benchmark::State &state)
{
    auto const &f = fixture();
    hv::acm::Guard g;
    if (!g.load(f.policy.binary()))
        std::abort();
    std::vector<hv::acm::Cache_slot> slots(4096);
    hv::acm::Decision_cache cache{slots};
    for (size_t i = 0; i < 1024; ++i)
        (void)g.share(cache, f.pairs[i].first, f.pairs[i].second);
    uint64_t const misses_before = cache.misses();
    size_t i = 0, allowed = 0;
    for (auto _ : state) {
        auto const &[a, b] = f.pairs[i++ & 1023];
        allowed += g.share(cache, a, b).allow;
    }
    benchmark::DoNotOptimize(allowed);
    state.SetItemsProcessed(state.iterations());
    state.counters["hit_%"] =
        100.0 * static_cast<double>(state.iterations() - (cache.misses() - misses_before)) /
        static_cast<double>(state.iterations());
}
BENCHMARK(BM_share_warm_cache);

// Cold: the same working set, but the generation moves before every decision (as right after
// a policy reload), so each lookup misses, decides and stores.
void BM_share_cold_cache(benchmark::State &state)
{
    auto const &f = fixture();
    hv::acm::Guard g;
    if (!g.load(f.policy.binary()))
        std::abort();
    std::vector<hv::acm::Cache_slot> slots(4096);
    hv::acm::Decision_cache cache{slots};
    size_t i = 0, allowed = 0;
    for (auto _ : state) {
        g.revoke_all();
        auto const &[a, b] = f.pairs[i++ & 1023];
        allowed += g.share(cache, a, b).allow;
    }
    benchmark::DoNotOptimize(allowed);
    state.SetItemsProcessed(state.iterations());
    state.counters["hit_%"] =
        100.0 * static_cast<double>(cache.hits()) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_share_cold_cache);

void BM_coexist_uncached(benchmark::State &state)
{
    auto const &f = fixture();
    auto const &v = f.policy.view();
    size_t i = 0, allowed = 0;
    for (auto _ : state) {
        auto const &[a, b] = f.pairs[i++ & (f.pairs.size() - 1)];
        allowed += hv::acm::decide_coexist(v, a, b).allow;
    }
    benchmark::DoNotOptimize(allowed);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_coexist_uncached);

// The wide service labels: uncached versus warm cache, same 1,024 pairs.
void BM_share_wide_uncached(benchmark::State &state)
{
    auto const &f = fixture();
    auto const &v = f.policy.view();
    size_t i = 0, allowed = 0;
    for (auto _ : state) {
        auto const &[a, b] = f.wide[i++ & 1023];
        allowed += hv::acm::decide_share(v, a, b).allow;
    }
    benchmark::DoNotOptimize(allowed);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_share_wide_uncached);

void BM_share_wide_warm_cache(benchmark::State &state)
{
    auto const &f = fixture();
    hv::acm::Guard g;
    if (!g.load(f.policy.binary()))
        std::abort();
    std::vector<hv::acm::Cache_slot> slots(4096);
    hv::acm::Decision_cache cache{slots};
    for (size_t i = 0; i < 1024; ++i)
        (void)g.share(cache, f.wide[i].first, f.wide[i].second);
    size_t i = 0, allowed = 0;
    for (auto _ : state) {
        auto const &[a, b] = f.wide[i++ & 1023];
        allowed += g.share(cache, a, b).allow;
    }
    benchmark::DoNotOptimize(allowed);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_share_wide_warm_cache);

// Chinese Wall at domain start with 100 domains running.
void BM_may_start(benchmark::State &state)
{
    auto const &f = fixture();
    auto const &v = f.policy.view();
    std::vector<uint32_t> counts(v.cw_type_count());
    auto rt = *hv::acm::Running_types::create(v, counts);
    for (size_t i = 0; i < 100; ++i)
        (void)rt.add_running(f.pairs[i].first);
    size_t i = 0, allowed = 0;
    for (auto _ : state)
        allowed += rt.may_start(f.pairs[i++ & (f.pairs.size() - 1)].second).allow;
    benchmark::DoNotOptimize(allowed);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_may_start);

} // namespace

BENCHMARK_MAIN();
