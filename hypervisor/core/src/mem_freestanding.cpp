// SPDX-License-Identifier: MIT
// The four functions a freestanding C++ compiler may call on its own (C++ [intro.compliance],
// GCC's -ffreestanding contract). Only in the freestanding flavour; hosted builds use libc's.
#include <cstddef>
#include <cstdint>

#include "hv/compiler.hpp"

extern "C" {

// REP MOVSQ / REP STOSQ for the bulk and REP MOVSB / STOSB for the tail: one instruction the CPU
// runs at memory speed, and an emulator (QEMU TCG) runs one element per iteration, so 8-byte
// elements are 8 times fewer iterations than bytes (and a byte loop costs several operations per
// byte). The domain builder copies tens of MiB of kernel image through memcpy. x86-64 only.
HV_NO_LIBCALL_LOOPS void *memcpy(void *dst, void const *src, size_t n)
{
    void *d = dst;
    size_t qwords = n / 8;
    size_t bytes = n % 8;
    asm volatile("rep movsq\n\tmov %[tail], %%rcx\n\trep movsb"
                 : "+D"(d), "+S"(src), "+c"(qwords)
                 : [tail] "r"(bytes)
                 : "memory");
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
    uint64_t const pattern = 0x0101010101010101ull * static_cast<unsigned char>(c);
    size_t qwords = n / 8;
    size_t bytes = n % 8;
    asm volatile("rep stosq\n\tmov %[tail], %%rcx\n\trep stosb"
                 : "+D"(d), "+c"(qwords)
                 : "a"(pattern), [tail] "r"(bytes)
                 : "memory");
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
