// SPDX-License-Identifier: MIT
// Multiboot (version 1, specification 0.6.96, section 3.3) boot information parser, for loaders
// that speak only Multiboot 1 (QEMU's -kernel/-initrd). Unlike Multiboot2, the information is
// scattered: a fixed block at EBX whose fields hold physical addresses of the command line, the
// module list, each module's string and the memory map. Every one of them is read through a
// Phys_reader that only hands out readable bytes, and every size is checked; the parser trusts
// nothing the loader wrote. to_multiboot2() then re-encodes what Ward uses (command line, loader
// name, modules, memory map) as a Multiboot2 information block, so the rest of the kernel has a
// single boot path (hv::mb2::Info). Spec: docs/boot.md section 2.4.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/multiboot2.hpp"
#include "hv/result.hpp"

namespace hv::mb1
{

// EAX at entry when loaded by a Multiboot 1 loader; the magic of the header in the image.
inline constexpr uint32_t BOOTLOADER_MAGIC = 0x2badb002;
inline constexpr uint32_t HEADER_MAGIC = 0x1badb002;

// Bits of the information block's flags word that Ward reads.
inline constexpr uint32_t INFO_CMDLINE = 1u << 2;
inline constexpr uint32_t INFO_MODS = 1u << 3;
inline constexpr uint32_t INFO_MMAP = 1u << 6;
inline constexpr uint32_t INFO_LOADER_NAME = 1u << 9;

inline constexpr size_t INFO_BYTES = 68; // flags through boot_loader_name (offset 64)
inline constexpr size_t MAX_MODULES = mb2::MAX_MODULES;
inline constexpr size_t MAX_REGIONS = 64;
inline constexpr size_t MAX_STRING = 4096; // longest command line accepted, NUL included
inline constexpr size_t MAX_MMAP_BYTES = 4096;

enum class Error : uint8_t
{
    UNREADABLE_INFO,
    MISSING_MEMORY_MAP,
    UNREADABLE_MEMORY_MAP,
    BAD_MEMORY_MAP_ENTRY,
    TOO_MANY_REGIONS,
    UNREADABLE_MODULE_LIST,
    TOO_MANY_MODULES,
    UNREADABLE_STRING,
    UNTERMINATED_STRING,
    OUTPUT_TOO_SMALL,
};

char const *error_name(Error e);

// Physical memory as the parser may see it: up to `max` bytes at `pa`, fewer when readable
// memory ends sooner, none when `pa` is out of reach. The bytes stay valid while Info is used.
class Phys_reader
{
  public:
    virtual std::span<std::byte const> read(uint64_t pa, size_t max) const = 0;

  protected:
    ~Phys_reader() = default;
};

struct Module
{
    uint32_t start;                // physical, inclusive
    uint32_t end;                  // physical, exclusive
    std::span<char const> cmdline; // as the loader gave it (QEMU puts the file name first)
};

class Info
{
  public:
    static Result<Info, Error> parse(Phys_reader const &mem, uint64_t info_pa);

    uint32_t flags() const { return flags_; }
    std::span<char const> cmdline() const { return cmdline_; }
    std::span<char const> boot_loader_name() const { return loader_name_; }
    size_t memory_region_count() const { return region_count_; }
    mb2::Memory_region memory_region(size_t i) const { return regions_[i]; }
    size_t module_count() const { return module_count_; }
    Module module(size_t i) const { return modules_[i]; }

  private:
    uint32_t flags_ = 0;
    std::span<char const> cmdline_;
    std::span<char const> loader_name_;
    std::array<mb2::Memory_region, MAX_REGIONS> regions_{};
    size_t region_count_ = 0;
    std::array<Module, MAX_MODULES> modules_{};
    size_t module_count_ = 0;
};

// A Multiboot 1 command line without its first word (the file name QEMU and GRUB Legacy put
// there) and the blanks after it.
std::span<char const> without_file_name(std::span<char const> cmdline);

// Writes the Multiboot2 information block equivalent to `info` (command lines without their file
// names, the loader name, modules, memory map with 24-byte entries) into `out` (8-byte aligned);
// returns its size. mb2::Info::parse() accepts it.
Result<size_t, Error> to_multiboot2(Info const &info, std::span<std::byte> out);

} // namespace hv::mb1
