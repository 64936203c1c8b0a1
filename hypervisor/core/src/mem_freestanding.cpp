// SPDX-License-Identifier: MIT
// The four functions a freestanding C++ compiler may call on its own (C++ [intro.compliance],
// GCC's -ffreestanding contract). Only in the freestanding flavour; hosted builds use libc's.
#include <cstddef>
#include <cstdint>

#include "hv/compiler.hpp"

extern "C" {

// REP MOVSB / REP STOSB: one instruction the CPU (and an emulator, in a single helper) runs at
// memory speed, where a byte loop costs an emulator several operations per byte; the domain
// builder copies tens of MiB of kernel image through memcpy. The image is x86-64 only.
HV_NO_LIBCALL_LOOPS void *memcpy(void *dst, void const *src, size_t n)
{
    void *d = dst;
    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

HV_NO_LIBCALL_LOOPS void *memmove(void *dst, void const *src, size_t n)
{
    auto *d = static_cast<unsigned char *>(dst);
    auto const *s = static_cast<unsigned char const *>(src);
    if (reinterpret_cast<uintptr_t>(d) < reinterpret_cast<uintptr_t>(s)) {
        for (size_t i = 0; i < n; ++i)
            d[i] = s[i];
    } else {
        for (size_t i = n; i > 0; --i)
            d[i - 1] = s[i - 1];
    }
    return dst;
}

HV_NO_LIBCALL_LOOPS void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(void const *a, void const *b, size_t n)
{
    auto const *x = static_cast<unsigned char const *>(a);
    auto const *y = static_cast<unsigned char const *>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}
}
