// SPDX-License-Identifier: MIT
// Freestanding link probe that must NOT link: it pulls in libc (strlen) and libstdc++
// (operator new). The freestanding link has no runtime, so both are undefined references.
#include <cstddef>

extern "C" size_t strlen(char const *);

extern "C" void _start()
{
    [[maybe_unused]] static volatile size_t sink;
    sink = strlen("libc");
    // The pointer escapes through a volatile, so the optimiser cannot elide the allocation.
    [[maybe_unused]] static int *volatile keep;
    keep = new int(3);
    for (;;) {
    }
}
