// SPDX-License-Identifier: MIT
// Xen's hypercall page layout, shared by both backends: 128 stubs of 32 bytes, stub i being
// `mov $i, %eax; <3-byte hypercall instruction>; ret`, the rest of each stub int3.
#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace hv::x86
{

inline void fill_hypercall_page(std::span<std::byte, 4096> page, std::array<std::byte, 3> insn)
{
    for (size_t i = 0; i < 128; ++i) {
        std::byte *stub = page.data() + i * 32;
        for (size_t j = 0; j < 32; ++j)
            stub[j] = std::byte{0xcc};
        stub[0] = std::byte{0xb8}; // mov $imm32, %eax
        stub[1] = static_cast<std::byte>(i);
        stub[2] = stub[3] = stub[4] = std::byte{0};
        stub[5] = insn[0];
        stub[6] = insn[1];
        stub[7] = insn[2];
        stub[8] = std::byte{0xc3}; // ret
    }
}

} // namespace hv::x86
