// SPDX-License-Identifier: MIT
// Freestanding link probe: loads a policy from a boot-module-like buffer, decides, tracks the
// Chinese Wall and caches, using hv_acm_fs and nothing else. Never run; it must link.
#include "hv/acm/guard.hpp"
#include "hv/acm/running_types.hpp"

namespace hv
{
void panic(char const *)
{
    for (;;) {
    }
}
} // namespace hv

namespace
{
alignas(8) std::byte module[4096];
hv::acm::Cache_slot slots[64];
uint32_t counts[256];
hv::acm::Guard guard;
} // namespace

extern "C" void _start()
{
    [[maybe_unused]] static volatile bool sink;
    if (guard.load(module).has_value()) {
        hv::acm::Decision_cache cache{slots};
        sink = guard.share(cache, 0, 1).allow;
        sink = guard.use(cache, 0, 1).allow;
        auto running = hv::acm::Running_types::create(guard.policy(), counts);
        if (running.has_value())
            sink = running->start(guard.policy().bootstrap_label()).allow;
        sink = hv::acm::share_revoked(guard.policy(), 0, 1, guard.policy());
        hv::acm::Channel const channels[2] = {{0, 1}, {1, 2}};
        bool revoked[2];
        sink = hv::acm::revoked_channels(guard.policy(), guard.policy(), channels, revoked) != 0;
        uint32_t labels[2] = {0, 1};
        sink = guard.reload(module, labels).has_value();
    }
    for (;;) {
    }
}
