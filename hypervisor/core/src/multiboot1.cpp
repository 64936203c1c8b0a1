// SPDX-License-Identifier: MIT
// Multiboot 1 boot information parser and its Multiboot2 re-encoding; see multiboot1.hpp.
#include "hv/multiboot1.hpp"

#include "hv/bytes.hpp"

namespace hv::mb1
{
namespace
{

constexpr uint32_t OFF_FLAGS = 0, OFF_CMDLINE = 16, OFF_MODS_COUNT = 20, OFF_MODS_ADDR = 24,
                   OFF_MMAP_LENGTH = 44, OFF_MMAP_ADDR = 48, OFF_LOADER_NAME = 64;
constexpr size_t MODULE_ENTRY_BYTES = 16; // mod_start, mod_end, string, reserved
constexpr uint32_t MMAP_ENTRY_MIN = 20;   // base (8), length (8), type (4) after the size field

Result<std::span<char const>, Error> string_at(Phys_reader const &mem, uint64_t pa)
{
    if (pa == 0)
        return unexpected(Error::UNREADABLE_STRING);
    std::span<std::byte const> const b = mem.read(pa, MAX_STRING);
    if (b.empty())
        return unexpected(Error::UNREADABLE_STRING);
    for (size_t i = 0; i < b.size(); ++i)
        if (b[i] == std::byte{0})
            return std::span<char const>{reinterpret_cast<char const *>(b.data()), i};
    return unexpected(Error::UNTERMINATED_STRING);
}

Result<void, Error> memory_map(Phys_reader const &mem, uint32_t length, uint32_t pa,
                               std::array<mb2::Memory_region, MAX_REGIONS> &regions, size_t &count)
{
    if (length > MAX_MMAP_BYTES)
        return unexpected(Error::TOO_MANY_REGIONS);
    std::span<std::byte const> const b = mem.read(pa, length);
    if (pa == 0 || b.size() != length)
        return unexpected(Error::UNREADABLE_MEMORY_MAP);
    // Each entry: size (of what follows it, at least 20), base, length, type; the next entry
    // starts size + 4 bytes further on.
    uint64_t off = 0;
    while (off < length) {
        auto const size = read_le<uint32_t>(b, off);
        if (!size || *size < MMAP_ENTRY_MIN || !range_within(off + 4, *size, length))
            return unexpected(Error::BAD_MEMORY_MAP_ENTRY);
        if (count == MAX_REGIONS)
            return unexpected(Error::TOO_MANY_REGIONS);
        regions[count++] = {load_le<uint64_t>(b, off + 4), load_le<uint64_t>(b, off + 12),
                            load_le<uint32_t>(b, off + 20)};
        off += 4 + uint64_t{*size};
    }
    if (count == 0)
        return unexpected(Error::MISSING_MEMORY_MAP);
    return ok;
}

// Appends one Multiboot2 tag (type, payload parts) at `off`, padded to 8 bytes.
struct Writer
{
    std::span<std::byte> out;
    size_t off = 8;
    bool full = false;

    void bytes(std::span<std::byte const> b)
    {
        if (full || !range_within(off, b.size(), out.size())) {
            full = true;
            return;
        }
        for (std::byte const x : b)
            out[off++] = x;
    }
    void u32(uint32_t v)
    {
        std::byte b[4];
        (void)write_le<uint32_t>(b, 0, v);
        bytes(b);
    }
    void u64(uint64_t v)
    {
        std::byte b[8];
        (void)write_le<uint64_t>(b, 0, v);
        bytes(b);
    }
    void str(std::span<char const> s)
    {
        bytes(std::as_bytes(s));
        std::byte const nul[1] = {};
        bytes(nul);
    }
    size_t begin(uint32_t type)
    {
        size_t const start = off;
        u32(type);
        u32(0); // size, filled by end()
        return start;
    }
    void end(size_t start)
    {
        if (full)
            return;
        (void)write_le<uint32_t>(out, start + 4, static_cast<uint32_t>(off - start));
        while (off % 8 != 0 && !full) {
            std::byte const pad[1] = {};
            bytes(pad);
        }
    }
};

} // namespace

Result<Info, Error> Info::parse(Phys_reader const &mem, uint64_t info_pa)
{
    std::span<std::byte const> const b = mem.read(info_pa, INFO_BYTES);
    if (info_pa == 0 || b.size() != INFO_BYTES)
        return unexpected(Error::UNREADABLE_INFO);
    Info info;
    info.flags_ = load_le<uint32_t>(b, OFF_FLAGS);
    if ((info.flags_ & INFO_MMAP) == 0)
        return unexpected(Error::MISSING_MEMORY_MAP);
    HV_TRY(memory_map(mem, load_le<uint32_t>(b, OFF_MMAP_LENGTH),
                      load_le<uint32_t>(b, OFF_MMAP_ADDR), info.regions_, info.region_count_));
    if ((info.flags_ & INFO_CMDLINE) != 0)
        info.cmdline_ = HV_TRY(string_at(mem, load_le<uint32_t>(b, OFF_CMDLINE)));
    if ((info.flags_ & INFO_LOADER_NAME) != 0)
        info.loader_name_ = HV_TRY(string_at(mem, load_le<uint32_t>(b, OFF_LOADER_NAME)));
    if ((info.flags_ & INFO_MODS) != 0) {
        uint32_t const count = load_le<uint32_t>(b, OFF_MODS_COUNT);
        if (count > MAX_MODULES)
            return unexpected(Error::TOO_MANY_MODULES);
        uint32_t const list_pa = load_le<uint32_t>(b, OFF_MODS_ADDR);
        size_t const list_bytes = count * MODULE_ENTRY_BYTES;
        std::span<std::byte const> const list = mem.read(list_pa, list_bytes);
        if (count != 0 && (list_pa == 0 || list.size() != list_bytes))
            return unexpected(Error::UNREADABLE_MODULE_LIST);
        for (uint32_t i = 0; i < count; ++i) {
            size_t const e = i * MODULE_ENTRY_BYTES;
            info.modules_[i] = {load_le<uint32_t>(list, e), load_le<uint32_t>(list, e + 4),
                                HV_TRY(string_at(mem, load_le<uint32_t>(list, e + 8)))};
        }
        info.module_count_ = count;
    }
    return info;
}

std::span<char const> without_file_name(std::span<char const> cmdline)
{
    size_t i = 0;
    while (i < cmdline.size() && cmdline[i] == ' ')
        ++i;
    while (i < cmdline.size() && cmdline[i] != ' ')
        ++i;
    while (i < cmdline.size() && cmdline[i] == ' ')
        ++i;
    return cmdline.subspan(i);
}

Result<size_t, Error> to_multiboot2(Info const &info, std::span<std::byte> out)
{
    Writer w{out};
    if (out.size() < 8)
        return unexpected(Error::OUTPUT_TOO_SMALL);
    size_t t = w.begin(static_cast<uint32_t>(mb2::Tag_type::CMDLINE));
    w.str(without_file_name(info.cmdline()));
    w.end(t);
    if (!info.boot_loader_name().empty()) {
        t = w.begin(static_cast<uint32_t>(mb2::Tag_type::BOOT_LOADER_NAME));
        w.str(info.boot_loader_name());
        w.end(t);
    }
    for (size_t i = 0; i < info.module_count(); ++i) {
        Module const m = info.module(i);
        t = w.begin(static_cast<uint32_t>(mb2::Tag_type::MODULE));
        w.u32(m.start);
        w.u32(m.end);
        w.str(without_file_name(m.cmdline));
        w.end(t);
    }
    t = w.begin(static_cast<uint32_t>(mb2::Tag_type::MMAP));
    w.u32(24); // entry_size
    w.u32(0);  // entry_version
    for (size_t i = 0; i < info.memory_region_count(); ++i) {
        mb2::Memory_region const r = info.memory_region(i);
        w.u64(r.base);
        w.u64(r.length);
        w.u32(r.type);
        w.u32(0);
    }
    w.end(t);
    t = w.begin(static_cast<uint32_t>(mb2::Tag_type::END));
    w.end(t);
    if (w.full)
        return unexpected(Error::OUTPUT_TOO_SMALL);
    (void)write_le<uint32_t>(out, 0, static_cast<uint32_t>(w.off)); // total_size
    (void)write_le<uint32_t>(out, 4, 0);                            // reserved
    return w.off;
}

char const *error_name(Error e)
{
    switch (e) {
    case Error::UNREADABLE_INFO: return "Multiboot information block out of reach";
    case Error::MISSING_MEMORY_MAP: return "Multiboot information has no memory map";
    case Error::UNREADABLE_MEMORY_MAP: return "Multiboot memory map out of reach";
    case Error::BAD_MEMORY_MAP_ENTRY: return "bad Multiboot memory map entry size";
    case Error::TOO_MANY_REGIONS: return "too many Multiboot memory map entries";
    case Error::UNREADABLE_MODULE_LIST: return "Multiboot module list out of reach";
    case Error::TOO_MANY_MODULES: return "too many modules";
    case Error::UNREADABLE_STRING: return "Multiboot string out of reach";
    case Error::UNTERMINATED_STRING: return "unterminated Multiboot string";
    case Error::OUTPUT_TOO_SMALL: return "Multiboot2 re-encoding does not fit";
    }
    return "unknown Multiboot error";
}

} // namespace hv::mb1
