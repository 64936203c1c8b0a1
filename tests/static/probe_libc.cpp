// SPDX-License-Identifier: MIT
// Freestanding link probe that must NOT link: it pulls in libc (strlen) and libstdc++
// (operator new). The freestanding link has no runtime, so both are undefined references.
#include <cstddef>

extern "C" size_t strlen(char const *);

extern "C" void _start()
{
    [[maybe_unused]] static volatile size_t sink;
    sink = strlen("libc");
    int *p = new int(3);
    sink = static_cast<size_t>(*p);
    for (;;) {
    }
}
