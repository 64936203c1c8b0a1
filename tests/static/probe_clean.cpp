// SPDX-License-Identifier: MIT
// Freestanding link probe that must link: uses the freestanding core and nothing else.
#include "hv/format.hpp"
#include "hv/result.hpp"

namespace hv
{
void panic(char const *)
{
    for (;;) {
    }
}
} // namespace hv

extern "C" void _start()
{
    char buf[64];
    [[maybe_unused]] static volatile size_t sink;
    sink = hv::format(buf, sizeof buf, "%s %d", "probe", 42);
    for (;;) {
    }
}
