// SPDX-License-Identifier: MIT
// The freestanding C++ runtime the hypervisor needs: hv::panic, the pure-virtual trap, and the
// global-constructor runner.
#include "rt/runtime.hpp"
#include "arch/x86_64/cpu.hpp"
#include "hv/result.hpp"
#include "platform/log.hpp"

extern "C" {
using Ctor = void (*)();
extern Ctor __init_array_start[];
extern Ctor __init_array_end[];

void __cxa_pure_virtual()
{
    hv::panic("pure virtual function called");
}
}

namespace hv
{

void panic(char const *why)
{
    log("\nward: PANIC: %s\n", why);
    platform_exit(0x7f);
}

void run_global_constructors()
{
    for (Ctor *c = __init_array_start; c != __init_array_end; ++c)
        (*c)();
}

} // namespace hv
