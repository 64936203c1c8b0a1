// SPDX-License-Identifier: MIT
// Fuzzes the module command line and hypervisor option parsers: a parsed config always holds
// NUL-terminated names within their limits and a guest command line inside the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/hv_options.hpp"
#include "hv/module_cmdline.hpp"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    std::span<char const> const text{reinterpret_cast<char const *>(data), size};
    auto const m = hv::parse_module_cmdline(text);
    if (m) {
        auto const &d = m->domain;
        if (d.name.length > hv::DOMAIN_NAME_MAX || d.name.chars[d.name.length] != '\0' ||
            d.label.length > hv::DOMAIN_LABEL_MAX || d.label.chars[d.label.length] != '\0')
            __builtin_trap();
        if (m->role == hv::Module_role::DOMAIN &&
            (d.name.length == 0 || d.mem_bytes < hv::DOMAIN_MEM_MIN || d.mem_bytes % 4096 != 0))
            __builtin_trap();
        if (!d.guest_cmdline.empty() &&
            (d.guest_cmdline.data() < text.data() ||
             d.guest_cmdline.data() + d.guest_cmdline.size() > text.data() + text.size()))
            __builtin_trap();
    } else if (m.error().column > size) {
        __builtin_trap();
    }
    auto const o = hv::parse_hv_options(text);
    if (o && (o->test.length > 31 || o->slice_us < hv::SLICE_US_MIN))
        __builtin_trap();
    return 0;
}
