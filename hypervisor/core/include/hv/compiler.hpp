// SPDX-License-Identifier: MIT
// Compiler specifics in one place; nothing else spells out __attribute__.
#pragma once

#define HV_ALWAYS_INLINE inline __attribute__((always_inline))
#define HV_NOINLINE __attribute__((noinline))
#define HV_COLD __attribute__((cold))
#define HV_NORETURN [[noreturn]]
#define HV_PACKED __attribute__((packed))
#define HV_SECTION(s) __attribute__((section(s)))
#define HV_LIKELY(x) __builtin_expect(!!(x), 1)
#define HV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HV_FORMAT(f, a) __attribute__((format(printf, f, a)))
// Keeps GCC from turning a copy or fill loop into a call to memcpy/memset (which is what the
// loop implements in the freestanding runtime).
#define HV_NO_LIBCALL_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))
