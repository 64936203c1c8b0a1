// SPDX-License-Identifier: MIT
// Fuzzes the Multiboot2 information parser and the per-module checks: a parsed Info must give
// in-bounds views of every string, region and module, whatever the loader wrote.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/multiboot2.hpp"

namespace
{

bool inside(std::span<char const> s, uint8_t const *data, size_t size)
{
    auto const *p = reinterpret_cast<uint8_t const *>(s.data());
    return s.empty() || (p >= data && p + s.size() <= data + size);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    std::span<std::byte const> const bytes{reinterpret_cast<std::byte const *>(data), size};
    auto const info = hv::mb2::Info::parse(bytes);
    if (!info)
        return 0;
    if (!inside(info->cmdline(), data, size) || !inside(info->boot_loader_name(), data, size))
        __builtin_trap();
    uint64_t sum = 0;
    for (size_t i = 0; i < info->memory_region_count(); ++i) {
        auto const r = info->memory_region(i);
        sum += r.base ^ r.length ^ r.type;
    }
    for (size_t i = 0; i < info->module_count(); ++i) {
        auto const m = info->module(i);
        if (!inside(m.cmdline, data, size))
            __builtin_trap();
        for (char c : m.cmdline)
            sum += static_cast<uint8_t>(c);
        (void)hv::mb2::check_module(*info, i, 0x100000, 0x200000);
    }
    for (std::byte b : info->rsdp())
        sum += static_cast<uint8_t>(b);
    return sum == 0x5a5a5a5a5a5a ? 1 : 0;
}
