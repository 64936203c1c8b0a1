// SPDX-License-Identifier: MIT
// Multiboot2 boot information parser; see multiboot2.hpp.
#include "hv/multiboot2.hpp"

#include "hv/bytes.hpp"

namespace hv::mb2
{

struct Parser
{
    using Bytes = std::span<std::byte const>;

    // A NUL-terminated string filling the rest of a tag (which may carry padding after the NUL).
    static Result<Info::Str, Error> string(Bytes b, uint32_t off, uint32_t end)
    {
        for (uint32_t i = off; i < end; ++i)
            if (b[i] == std::byte{0})
                return Info::Str{off, i - off, true};
        return unexpected(Error::UNTERMINATED_STRING);
    }

    static Result<void, Error> mmap(Info &info, Bytes b, uint32_t off, uint32_t size)
    {
        if (info.mmap_entry_size_ != 0)
            return unexpected(Error::DUPLICATE_TAG);
        if (size < 16)
            return unexpected(Error::BAD_TAG_SIZE);
        uint32_t const entry_size = load_le<uint32_t>(b, off + 8);
        if (entry_size < 24 || entry_size % 8 != 0)
            return unexpected(Error::BAD_MEMORY_MAP_ENTRY_SIZE);
        if ((size - 16) % entry_size != 0)
            return unexpected(Error::BAD_MEMORY_MAP_SIZE);
        info.mmap_offset_ = off + 16;
        info.mmap_entry_size_ = entry_size;
        info.mmap_count_ = (size - 16) / entry_size;
        return ok;
    }

    static Result<void, Error> rsdp(Info &info, Bytes b, uint32_t off, uint32_t size, bool is_new)
    {
        uint32_t const need = is_new ? 36 : 20;
        if (size < 8 + need)
            return unexpected(Error::BAD_RSDP);
        Bytes const r = b.subspan(off + 8, size - 8);
        char const sig[] = "RSD PTR ";
        for (size_t i = 0; i < 8; ++i)
            if (r[i] != static_cast<std::byte>(sig[i]))
                return unexpected(Error::BAD_RSDP);
        uint8_t sum = 0;
        for (size_t i = 0; i < 20; ++i)
            sum = static_cast<uint8_t>(sum + std::to_integer<uint8_t>(r[i]));
        if (sum != 0)
            return unexpected(Error::BAD_RSDP);
        if (is_new || info.rsdp_length_ == 0) {
            if (is_new && info.rsdp_new_)
                return unexpected(Error::DUPLICATE_TAG);
            info.rsdp_offset_ = off + 8;
            info.rsdp_length_ = need;
            info.rsdp_new_ = is_new;
        }
        return ok;
    }

    static Result<void, Error> tag(Info &info, Bytes b, uint32_t type, uint32_t off, uint32_t size)
    {
        switch (static_cast<Tag_type>(type)) {
        case Tag_type::CMDLINE:
        case Tag_type::BOOT_LOADER_NAME: {
            Info::Str &slot = type == 1 ? info.cmdline_ : info.loader_name_;
            if (slot.present)
                return unexpected(Error::DUPLICATE_TAG);
            slot = HV_TRY(string(b, off + 8, off + size));
            return ok;
        }
        case Tag_type::MODULE: {
            if (size < 17) // start, end and at least the NUL of the command line
                return unexpected(Error::BAD_MODULE_TAG);
            HV_TRY(string(b, off + 16, off + size));
            if (info.module_count_ == MAX_MODULES)
                return unexpected(Error::TOO_MANY_MODULES);
            info.modules_[info.module_count_++] = off;
            return ok;
        }
        case Tag_type::MMAP: return mmap(info, b, off, size);
        case Tag_type::ACPI_OLD: return rsdp(info, b, off, size, false);
        case Tag_type::ACPI_NEW: return rsdp(info, b, off, size, true);
        default: return ok; // tags Ward does not use
        }
    }
};

Result<Info, Error> Info::parse(std::span<std::byte const> b)
{
    auto const total = read_le<uint32_t>(b, 0);
    if (!total || b.size() < 16)
        return unexpected(Error::TRUNCATED_INFO);
    if (*total < 16 || *total % 8 != 0)
        return unexpected(Error::BAD_TOTAL_SIZE);
    if (*total > b.size())
        return unexpected(Error::TRUNCATED_INFO);
    Info info;
    info.bytes_ = b.first(*total);
    uint32_t off = 8;
    for (;;) {
        if (*total - off < 8)
            return unexpected(Error::MISSING_END_TAG);
        uint32_t const type = load_le<uint32_t>(b, off);
        uint32_t const size = load_le<uint32_t>(b, off + 4);
        if (size < 8)
            return unexpected(Error::BAD_TAG_SIZE);
        if (size > *total - off)
            return unexpected(Error::TAG_OUTSIDE_INFO);
        if (type == 0) {
            if (size != 8)
                return unexpected(Error::BAD_TAG_SIZE);
            break;
        }
        HV_TRY(Parser::tag(info, info.bytes_, type, off, size));
        // The next tag starts at the next 8-byte boundary (sizes exclude the padding).
        uint64_t const next = align_up(uint64_t{off} + size, 8);
        if (next >= *total)
            return unexpected(Error::MISSING_END_TAG);
        off = static_cast<uint32_t>(next);
    }
    if (info.mmap_entry_size_ == 0)
        return unexpected(Error::MISSING_MEMORY_MAP);
    return info;
}

std::span<char const> Info::string_at(Str s) const
{
    if (!s.present)
        return {};
    return {reinterpret_cast<char const *>(bytes_.data()) + s.offset, s.length};
}

Memory_region Info::memory_region(size_t i) const
{
    uint64_t const off = mmap_offset_ + uint64_t{mmap_entry_size_} * i;
    return {load_le<uint64_t>(bytes_, off), load_le<uint64_t>(bytes_, off + 8),
            load_le<uint32_t>(bytes_, off + 16)};
}

Module Info::module(size_t i) const
{
    uint32_t const off = modules_[i];
    uint32_t const size = load_le<uint32_t>(bytes_, off + 4);
    auto const cmd = Parser::string(bytes_, off + 16, off + size);
    Str const s = cmd ? *cmd : Str{}; // validated by parse()
    return {load_le<uint32_t>(bytes_, off + 8), load_le<uint32_t>(bytes_, off + 12), string_at(s)};
}

std::span<std::byte const> Info::rsdp() const
{
    return bytes_.subspan(rsdp_offset_, rsdp_length_);
}

Result<void, Module_error> check_module(Info const &info, size_t i, uint64_t hv_start,
                                        uint64_t hv_end)
{
    Module const m = info.module(i);
    if (m.end < m.start)
        return unexpected(Module_error::END_BEFORE_START);
    if (m.end == m.start)
        return unexpected(Module_error::EMPTY);
    if (ranges_overlap(m.start, m.end, hv_start, hv_end))
        return unexpected(Module_error::OVERLAPS_HYPERVISOR);
    for (size_t j = 0; j < info.module_count(); ++j) {
        Module const o = info.module(j);
        if (j != i && o.end > o.start && ranges_overlap(m.start, m.end, o.start, o.end))
            return unexpected(Module_error::OVERLAPS_MODULE);
    }
    for (size_t j = 0; j < info.memory_region_count(); ++j) {
        Memory_region const r = info.memory_region(j);
        auto const end = range_end(r.base, r.length);
        if (r.type == MEMORY_AVAILABLE && end && m.start >= r.base && m.end <= *end)
            return ok;
    }
    return unexpected(Module_error::NOT_IN_AVAILABLE_RAM);
}

char const *error_name(Error e)
{
    switch (e) {
    case Error::TRUNCATED_INFO: return "truncated Multiboot2 information";
    case Error::BAD_TOTAL_SIZE: return "bad Multiboot2 total size";
    case Error::BAD_TAG_SIZE: return "bad Multiboot2 tag size";
    case Error::TAG_OUTSIDE_INFO: return "Multiboot2 tag runs past the total size";
    case Error::MISSING_END_TAG: return "missing Multiboot2 end tag";
    case Error::UNTERMINATED_STRING: return "unterminated string in a Multiboot2 tag";
    case Error::DUPLICATE_TAG: return "duplicate Multiboot2 tag";
    case Error::BAD_MEMORY_MAP_ENTRY_SIZE: return "bad memory map entry size";
    case Error::BAD_MEMORY_MAP_SIZE: return "memory map tag size is not a whole number of entries";
    case Error::MISSING_MEMORY_MAP: return "missing memory map";
    case Error::BAD_MODULE_TAG: return "bad module tag";
    case Error::TOO_MANY_MODULES: return "too many modules";
    case Error::BAD_RSDP: return "bad ACPI RSDP copy (signature, checksum or size)";
    }
    return "unknown Multiboot2 error";
}

char const *error_name(Module_error e)
{
    switch (e) {
    case Module_error::EMPTY: return "module is empty";
    case Module_error::END_BEFORE_START: return "module ends before it starts";
    case Module_error::OVERLAPS_MODULE: return "module overlaps another module";
    case Module_error::OVERLAPS_HYPERVISOR: return "module overlaps the hypervisor image";
    case Module_error::NOT_IN_AVAILABLE_RAM: return "module is not inside available RAM";
    }
    return "unknown module error";
}

} // namespace hv::mb2
