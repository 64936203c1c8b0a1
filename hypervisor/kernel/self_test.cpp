// SPDX-License-Identifier: MIT
// Deliberate hypervisor faults for the boot tests (see self_test.hpp).
#include "kernel/self_test.hpp"

#include <cstdint>

#include "arch/x86_64/cpu.hpp"
#include "platform/log.hpp"

extern "C" char __text_start[];

namespace hv::kernel
{
namespace
{

bool equals(std::span<char const> a, char const *b)
{
    size_t i = 0;
    for (; i < a.size(); ++i)
        if (b[i] != a[i])
            return false;
    return b[i] == '\0';
}

// Recurses until the stack runs into its guard page (the limit is far beyond any stack); the
// volatile buffer keeps every frame.
unsigned volatile recursion_limit = ~0u;

HV_NOINLINE unsigned recurse(unsigned depth)
{
    char volatile frame[256];
    frame[0] = static_cast<char>(depth);
    if (depth >= recursion_limit)
        return 0;
    return recurse(depth + 1) + frame[0];
}

// In .data, so it lies on an RW+NX page: `ret`.
unsigned char data_code[16] = {0xc3};

} // namespace

void run_self_test(std::span<char const> name)
{
    if (name.empty())
        return;
    if (equals(name, "null-read")) {
        log("ward: self-test null-read: reading address 0\n");
        uint32_t const v = *reinterpret_cast<uint32_t volatile const *>(uintptr_t{0});
        log("ward: self-test FAILED: page 0 was readable (0x%x)\n", v);
    } else if (equals(name, "write-text")) {
        log("ward: self-test write-text: writing to .text at %p\n",
            static_cast<void *>(__text_start));
        *reinterpret_cast<uint8_t volatile *>(__text_start) = 0x90;
        log("ward: self-test FAILED: .text was writable\n");
    } else if (equals(name, "exec-data")) {
        log("ward: self-test exec-data: calling into .data at %p\n",
            static_cast<void *>(data_code));
        reinterpret_cast<void (*)()>(reinterpret_cast<uintptr_t>(data_code))();
        log("ward: self-test FAILED: .data was executable\n");
    } else if (equals(name, "stack-overflow")) {
        log("ward: self-test stack-overflow: recursing into the guard page\n");
        log("ward: self-test FAILED: recursion returned %u\n", recurse(0));
    } else if (equals(name, "idle")) {
        return; // run_late_self_test
    } else {
        char text[32];
        size_t n = 0;
        for (; n < name.size() && n + 1 < sizeof text; ++n)
            text[n] = name[n];
        text[n] = '\0';
        log("ward: unknown self-test '%s' ignored\n", text);
        return;
    }
    platform_exit(0x21); // a scenario that did not fault
}

void run_late_self_test(std::span<char const> name)
{
    if (!equals(name, "idle"))
        return;
    log("ward: self-test idle: halted in the hypervisor for inspection\n");
    x86::halt_forever();
}

} // namespace hv::kernel
