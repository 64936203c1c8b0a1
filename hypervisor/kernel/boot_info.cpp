// SPDX-License-Identifier: MIT
// Boot information intake; see boot_info.hpp.
#include "kernel/boot_info.hpp"

#include "arch/x86_64/paging.hpp"
#include "hv/multiboot1.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

// Physical memory below 4 GiB, identity-mapped; page 0 is not handed out.
struct Identity_reader final : mb1::Phys_reader
{
    std::span<std::byte const> read(uint64_t pa, size_t max) const override
    {
        if (pa < 0x1000 || pa >= x86::IDENTITY_MAP_END)
            return {};
        size_t const n = x86::IDENTITY_MAP_END - pa < max ? x86::IDENTITY_MAP_END - pa : max;
        return {x86::phys_to_virt<std::byte const>(pa), n};
    }
};

// The Multiboot2 re-encoding of a Multiboot 1 block (inside the image, so already reserved).
alignas(8) std::byte reencoded[8192];

Result<Boot_info, char const *> from_multiboot1(uint64_t info_pa)
{
    Identity_reader const mem;
    auto const mb1 = mb1::Info::parse(mem, info_pa);
    if (!mb1) {
        log("ward: Multiboot information rejected: %s\n", mb1::error_name(mb1.error()));
        return unexpected("cannot continue without a valid Multiboot memory map");
    }
    auto const size = mb1::to_multiboot2(*mb1, reencoded);
    if (!size) {
        log("ward: Multiboot information: %s\n", mb1::error_name(size.error()));
        return unexpected("boot information too large");
    }
    auto const info = mb2::Info::parse({reencoded, *size});
    if (!info) {
        log("ward: Multiboot information re-encoded wrongly: %s\n", mb2::error_name(info.error()));
        return unexpected("boot information unusable");
    }
    char name[32] = {};
    auto const n = mb1->boot_loader_name();
    for (size_t i = 0; i < n.size() && i + 1 < sizeof name; ++i)
        name[i] = n[i];
    log("ward: Multiboot 1 loader '%s': %zu modules, %zu map entries\n", name, mb1->module_count(),
        mb1->memory_region_count());
    return Boot_info{*info, reinterpret_cast<uint64_t>(reencoded)};
}

} // namespace

Result<Boot_info, char const *> read_boot_info(uint32_t magic, uint64_t info_pa)
{
    if (magic == mb1::BOOTLOADER_MAGIC)
        return from_multiboot1(info_pa);
    if (magic != mb2::BOOTLOADER_MAGIC)
        return unexpected("not loaded by a Multiboot2 or Multiboot 1 boot loader (bad magic)");
    if (info_pa == 0 || info_pa + 8 > x86::IDENTITY_MAP_END)
        return unexpected("Multiboot2 information out of reach");
    uint32_t const total = *x86::phys_to_virt<uint32_t const>(info_pa);
    if (total < 8 || info_pa + total > x86::IDENTITY_MAP_END)
        return unexpected("Multiboot2 information has a bad size");
    auto const info = mb2::Info::parse({x86::phys_to_virt<std::byte const>(info_pa), total});
    if (!info) {
        log("ward: Multiboot2 information rejected: %s\n", mb2::error_name(info.error()));
        return unexpected("cannot continue without a valid Multiboot2 memory map");
    }
    return Boot_info{*info, info_pa};
}

} // namespace hv::kernel
