// SPDX-License-Identifier: MIT
// Multiboot2 boot information parser (Multiboot2 specification 1.6, section 3.6): total size,
// tag walk with every size and 8-byte alignment checked, and views of the tags Ward uses: the
// boot command line (1), modules (3), the memory map (6) and the ACPI RSDP copies (14, 15).
// The bytes come from the boot loader; the parser trusts none of them. Spec: docs/boot.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"

namespace hv::mb2
{

// EAX at entry when loaded by a Multiboot2 loader.
inline constexpr uint32_t BOOTLOADER_MAGIC = 0x36d76289;

enum class Tag_type : uint32_t
{
    END = 0,
    CMDLINE = 1,
    BOOT_LOADER_NAME = 2,
    MODULE = 3,
    BASIC_MEMINFO = 4,
    MMAP = 6,
    ACPI_OLD = 14,
    ACPI_NEW = 15,
};

enum class Error : uint8_t
{
    TRUNCATED_INFO,
    BAD_TOTAL_SIZE,
    BAD_TAG_SIZE,
    TAG_OUTSIDE_INFO,
    MISSING_END_TAG,
    UNTERMINATED_STRING,
    DUPLICATE_TAG,
    BAD_MEMORY_MAP_ENTRY_SIZE,
    BAD_MEMORY_MAP_SIZE,
    MISSING_MEMORY_MAP,
    BAD_MODULE_TAG,
    TOO_MANY_MODULES,
    BAD_RSDP,
};

char const *error_name(Error e);

// Memory map entry types.
inline constexpr uint32_t MEMORY_AVAILABLE = 1;
inline constexpr uint32_t MEMORY_RESERVED = 2;
inline constexpr uint32_t MEMORY_ACPI_RECLAIMABLE = 3;
inline constexpr uint32_t MEMORY_NVS = 4;
inline constexpr uint32_t MEMORY_BAD = 5;

inline constexpr size_t MAX_MODULES = 32;

struct Memory_region
{
    uint64_t base;
    uint64_t length;
    uint32_t type;
};

struct Module
{
    uint32_t start;                // physical, inclusive
    uint32_t end;                  // physical, exclusive
    std::span<char const> cmdline; // without the terminating NUL; points into the boot info
};

class Info
{
  public:
    // Validates the whole structure. `info` must stay alive as long as the Info is used.
    static Result<Info, Error> parse(std::span<std::byte const> info);

    uint32_t total_size() const { return static_cast<uint32_t>(bytes_.size()); }
    std::span<char const> cmdline() const { return string_at(cmdline_); }
    std::span<char const> boot_loader_name() const { return string_at(loader_name_); }

    size_t memory_region_count() const { return mmap_count_; }
    Memory_region memory_region(size_t i) const; // precondition: i < memory_region_count()

    size_t module_count() const { return module_count_; }
    Module module(size_t i) const; // precondition: i < module_count()

    // The RSDP the loader copied (ACPI 2.0+ one preferred); empty if neither tag is present.
    std::span<std::byte const> rsdp() const;

  private:
    struct Str
    {
        uint32_t offset = 0;
        uint32_t length = 0;
        bool present = false;
    };
    std::span<char const> string_at(Str s) const;
    friend struct Parser;

    std::span<std::byte const> bytes_;
    Str cmdline_;
    Str loader_name_;
    uint32_t mmap_offset_ = 0; // first entry
    uint32_t mmap_entry_size_ = 0;
    size_t mmap_count_ = 0;
    std::array<uint32_t, MAX_MODULES> modules_{}; // tag offsets
    size_t module_count_ = 0;
    uint32_t rsdp_offset_ = 0;
    uint32_t rsdp_length_ = 0;
    bool rsdp_new_ = false;
};

// Per-module problems: the kernel refuses that module's domain and boots the others.
enum class Module_error : uint8_t
{
    EMPTY,
    END_BEFORE_START,
    OVERLAPS_MODULE,
    OVERLAPS_HYPERVISOR,
    NOT_IN_AVAILABLE_RAM,
};

char const *error_name(Module_error e);

// Checks module i against the others, the hypervisor image [hv_start, hv_end) and the memory map.
Result<void, Module_error> check_module(Info const &info, size_t i, uint64_t hv_start,
                                        uint64_t hv_end);

} // namespace hv::mb2
