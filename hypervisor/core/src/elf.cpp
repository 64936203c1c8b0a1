// SPDX-License-Identifier: MIT
// ELF64/ELF32 executable and Xen ELF note parser; see elf.hpp and docs/boot.md.
#include "hv/elf.hpp"

#include "hv/bytes.hpp"

namespace hv::elf
{
namespace
{

constexpr uint16_t ET_EXEC = 2;
constexpr uint16_t EM_386 = 3;
constexpr uint16_t EM_X86_64 = 62;
constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t PT_NOTE = 4;
constexpr uint32_t SHT_NOTE = 7;
// Physical addresses beyond x86-64's architectural maximum (52 bits) are never loadable.
constexpr uint64_t MAX_PHYS_END = uint64_t{1} << 52;
constexpr uint64_t MAX_PHYS_END_32 = uint64_t{1} << 32;

struct Header
{
    bool elf64;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
};

using Bytes = std::span<std::byte const>;

Result<Header, Error> parse_header(Bytes f)
{
    if (f.size() < 16)
        return unexpected(Error::TRUNCATED_HEADER);
    if (f[0] != std::byte{0x7f} || f[1] != std::byte{'E'} || f[2] != std::byte{'L'} ||
        f[3] != std::byte{'F'})
        return unexpected(Error::BAD_MAGIC);
    auto const cls = std::to_integer<uint8_t>(f[4]);
    if (cls != 1 && cls != 2)
        return unexpected(Error::BAD_CLASS);
    if (std::to_integer<uint8_t>(f[5]) != 1)
        return unexpected(Error::BAD_DATA_ENCODING);
    if (std::to_integer<uint8_t>(f[6]) != 1)
        return unexpected(Error::BAD_VERSION);
    bool const elf64 = cls == 2;
    size_t const ehsize = elf64 ? 64 : 52;
    if (f.size() < ehsize)
        return unexpected(Error::TRUNCATED_HEADER);
    if (load_le<uint16_t>(f, 16) != ET_EXEC)
        return unexpected(Error::NOT_EXECUTABLE);
    if (load_le<uint16_t>(f, 18) != (elf64 ? EM_X86_64 : EM_386))
        return unexpected(Error::BAD_MACHINE);
    if (load_le<uint32_t>(f, 20) != 1)
        return unexpected(Error::BAD_VERSION);
    Header h{};
    h.elf64 = elf64;
    if (elf64) {
        h.entry = load_le<uint64_t>(f, 24);
        h.phoff = load_le<uint64_t>(f, 32);
        h.shoff = load_le<uint64_t>(f, 40);
    } else {
        h.entry = load_le<uint32_t>(f, 24);
        h.phoff = load_le<uint32_t>(f, 28);
        h.shoff = load_le<uint32_t>(f, 32);
    }
    size_t const base = elf64 ? 52 : 40; // e_ehsize, then the table geometry
    if (load_le<uint16_t>(f, base) < ehsize)
        return unexpected(Error::BAD_HEADER_SIZE);
    h.phentsize = load_le<uint16_t>(f, base + 2);
    h.phnum = load_le<uint16_t>(f, base + 4);
    h.shentsize = load_le<uint16_t>(f, base + 6);
    h.shnum = load_le<uint16_t>(f, base + 8);
    return h;
}

struct Note_region
{
    uint64_t offset;
    uint64_t size;
    uint64_t align;
};

Result<uint64_t, Error> note_number(Bytes desc)
{
    if (desc.size() == 4)
        return uint64_t{load_le<uint32_t>(desc, 0)};
    if (desc.size() == 8)
        return load_le<uint64_t>(desc, 0);
    return unexpected(Error::BAD_XEN_NOTE_SIZE);
}

Result<void, Error> take_xen_note(uint32_t type, Bytes desc, Xen_notes &xen)
{
    switch (type) {
    case XEN_ELFNOTE_PHYS32_ENTRY: {
        uint64_t const v = HV_TRY(note_number(desc));
        if (v > 0xffffffffu)
            return unexpected(Error::BAD_XEN_NOTE_SIZE);
        if (xen.phys32_entry)
            return unexpected(Error::DUPLICATE_XEN_NOTE);
        xen.phys32_entry = static_cast<uint32_t>(v);
        return ok;
    }
    case XEN_ELFNOTE_ENTRY:
    case XEN_ELFNOTE_HYPERCALL_PAGE: {
        uint64_t const v = HV_TRY(note_number(desc));
        auto &slot = type == XEN_ELFNOTE_ENTRY ? xen.entry : xen.hypercall_page;
        if (slot)
            return unexpected(Error::DUPLICATE_XEN_NOTE);
        slot = v;
        return ok;
    }
    case XEN_ELFNOTE_GUEST_OS: {
        if (xen.guest_os[0] != '\0')
            return unexpected(Error::DUPLICATE_XEN_NOTE);
        for (size_t i = 0; i < desc.size() && i + 1 < xen.guest_os.size(); ++i) {
            char const c = static_cast<char>(desc[i]);
            if (c == '\0')
                break;
            xen.guest_os[i] = c;
        }
        return ok;
    }
    default: return ok; // other Xen notes carry nothing Ward uses
    }
}

Result<void, Error> parse_notes(Bytes region, uint64_t align, Xen_notes &xen)
{
    uint64_t const a = align == 8 ? 8 : 4;
    uint64_t pos = 0;
    while (pos < region.size()) {
        if (region.size() - pos < 12)
            return unexpected(Error::TRUNCATED_NOTE);
        uint64_t const namesz = load_le<uint32_t>(region, pos);
        uint64_t const descsz = load_le<uint32_t>(region, pos + 4);
        uint32_t const type = load_le<uint32_t>(region, pos + 8);
        uint64_t const name_off = pos + 12;
        if (!range_within(name_off, namesz, region.size()))
            return unexpected(Error::TRUNCATED_NOTE);
        // Padding aligns offsets within the note region (12 + namesz, then the descriptor end).
        uint64_t const desc_off = align_up(name_off + namesz, a);
        if (!range_within(desc_off, descsz, region.size()))
            return unexpected(Error::TRUNCATED_NOTE);
        Bytes const name = region.subspan(name_off, namesz);
        bool const is_xen = namesz == 4 && name[0] == std::byte{'X'} && name[1] == std::byte{'e'} &&
                            name[2] == std::byte{'n'} && name[3] == std::byte{0};
        if (is_xen)
            HV_TRY(take_xen_note(type, region.subspan(desc_off, descsz), xen));
        pos = desc_off + align_up(descsz, a); // may step past the end: the last pad is optional
    }
    return ok;
}

Result<void, Error> add_load_segment(Image &img, Segment const &s, uint64_t file_size)
{
    if (s.filesz > s.memsz)
        return unexpected(Error::FILESZ_EXCEEDS_MEMSZ);
    if (!range_within(s.offset, s.filesz, file_size))
        return unexpected(Error::SEGMENT_OUTSIDE_FILE);
    auto const end = range_end(s.paddr, s.memsz);
    if (!end || *end > (img.elf64 ? MAX_PHYS_END : MAX_PHYS_END_32))
        return unexpected(Error::SEGMENT_ADDRESS_OVERFLOW);
    if (s.memsz == 0)
        return ok; // nothing to load
    for (Segment const &o : img.segments())
        if (ranges_overlap(s.paddr, *end, o.paddr, o.paddr + o.memsz))
            return unexpected(Error::SEGMENTS_OVERLAP);
    if (img.segment_count == MAX_SEGMENTS)
        return unexpected(Error::TOO_MANY_SEGMENTS);
    img.segment_store[img.segment_count++] = s;
    return ok;
}

Segment read_phdr(Bytes ph, bool elf64)
{
    Segment s{};
    if (elf64) {
        s.flags = load_le<uint32_t>(ph, 4);
        s.offset = load_le<uint64_t>(ph, 8);
        s.vaddr = load_le<uint64_t>(ph, 16);
        s.paddr = load_le<uint64_t>(ph, 24);
        s.filesz = load_le<uint64_t>(ph, 32);
        s.memsz = load_le<uint64_t>(ph, 40);
    } else {
        s.offset = load_le<uint32_t>(ph, 4);
        s.vaddr = load_le<uint32_t>(ph, 8);
        s.paddr = load_le<uint32_t>(ph, 12);
        s.filesz = load_le<uint32_t>(ph, 16);
        s.memsz = load_le<uint32_t>(ph, 20);
        s.flags = load_le<uint32_t>(ph, 24);
    }
    return s;
}

// Notes from the section headers, for images whose notes are not in a PT_NOTE segment.
Result<void, Error> section_notes(Bytes f, Header const &h, Xen_notes &xen)
{
    if (h.shoff == 0 || h.shnum == 0)
        return ok;
    if (h.shentsize < (h.elf64 ? 64 : 40))
        return unexpected(Error::BAD_SECTION_HEADER_SIZE);
    if (h.shnum > MAX_SECTION_HEADERS ||
        !range_within(h.shoff, uint64_t{h.shentsize} * h.shnum, f.size()))
        return unexpected(Error::TRUNCATED_SECTION_HEADERS);
    for (size_t i = 0; i < h.shnum; ++i) {
        Bytes const sh = f.subspan(h.shoff + i * h.shentsize, h.shentsize);
        if (load_le<uint32_t>(sh, 4) != SHT_NOTE)
            continue;
        uint64_t const off = h.elf64 ? load_le<uint64_t>(sh, 24) : load_le<uint32_t>(sh, 16);
        uint64_t const size = h.elf64 ? load_le<uint64_t>(sh, 32) : load_le<uint32_t>(sh, 20);
        uint64_t const align = h.elf64 ? load_le<uint64_t>(sh, 48) : load_le<uint32_t>(sh, 32);
        if (!range_within(off, size, f.size()))
            return unexpected(Error::NOTE_OUTSIDE_FILE);
        HV_TRY(parse_notes(f.subspan(off, size), align, xen));
    }
    return ok;
}

} // namespace

Result<Image, Error> parse(std::span<std::byte const> f)
{
    Header const h = HV_TRY(parse_header(f));
    size_t const min_phent = h.elf64 ? 56 : 32;
    if (h.phnum == 0)
        return unexpected(Error::NO_LOADABLE_SEGMENT);
    if (h.phnum > MAX_PROGRAM_HEADERS)
        return unexpected(Error::TOO_MANY_PROGRAM_HEADERS);
    if (h.phentsize < min_phent)
        return unexpected(Error::BAD_PROGRAM_HEADER_SIZE);
    if (!range_within(h.phoff, uint64_t{h.phentsize} * h.phnum, f.size()))
        return unexpected(Error::TRUNCATED_PROGRAM_HEADERS);

    Image img{};
    img.elf64 = h.elf64;
    img.entry = h.entry;
    std::array<Note_region, MAX_PROGRAM_HEADERS> notes{};
    size_t note_count = 0;
    for (size_t i = 0; i < h.phnum; ++i) {
        Bytes const ph = f.subspan(h.phoff + i * h.phentsize, h.phentsize);
        uint32_t const type = load_le<uint32_t>(ph, 0);
        Segment const s = read_phdr(ph, h.elf64);
        if (type == PT_LOAD) {
            HV_TRY(add_load_segment(img, s, f.size()));
        } else if (type == PT_NOTE) {
            if (!range_within(s.offset, s.filesz, f.size()))
                return unexpected(Error::NOTE_OUTSIDE_FILE);
            uint64_t const align =
                h.elf64 ? load_le<uint64_t>(ph, 48) : uint64_t{load_le<uint32_t>(ph, 28)};
            notes[note_count++] = {s.offset, s.filesz, align};
        }
    }
    if (img.segment_count == 0)
        return unexpected(Error::NO_LOADABLE_SEGMENT);

    for (size_t i = 0; i < note_count; ++i)
        HV_TRY(parse_notes(f.subspan(notes[i].offset, notes[i].size), notes[i].align, img.xen));
    if (note_count == 0)
        HV_TRY(section_notes(f, h, img.xen));
    return img;
}

uint64_t Image::lowest_paddr() const
{
    uint64_t low = ~uint64_t{0};
    for (Segment const &s : segments())
        low = s.paddr < low ? s.paddr : low;
    return low;
}

uint64_t Image::end_paddr() const
{
    uint64_t end = 0;
    for (Segment const &s : segments())
        end = s.paddr + s.memsz > end ? s.paddr + s.memsz : end;
    return end;
}

Result<uint32_t, Error> pvh_entry(Image const &image)
{
    if (!image.xen.phys32_entry)
        return unexpected(Error::NO_PVH_ENTRY);
    uint64_t const e = *image.xen.phys32_entry;
    for (Segment const &s : image.segments())
        if ((s.flags & PF_X) != 0 && e >= s.paddr && e - s.paddr < s.filesz)
            return static_cast<uint32_t>(e);
    return unexpected(Error::PVH_ENTRY_OUTSIDE_SEGMENT);
}

Result<void, Error> check_fits(Image const &image, uint64_t guest_bytes)
{
    for (Segment const &s : image.segments())
        if (s.paddr + s.memsz > guest_bytes)
            return unexpected(Error::SEGMENT_OUTSIDE_GUEST_MEMORY);
    return ok;
}

char const *error_name(Error e)
{
    switch (e) {
    case Error::TRUNCATED_HEADER: return "truncated ELF header";
    case Error::BAD_MAGIC: return "not an ELF file (bad magic)";
    case Error::BAD_CLASS: return "unsupported ELF class";
    case Error::BAD_DATA_ENCODING: return "not a little-endian ELF file";
    case Error::BAD_VERSION: return "unsupported ELF version";
    case Error::NOT_EXECUTABLE: return "not an executable ELF file (ET_EXEC)";
    case Error::BAD_MACHINE: return "wrong machine (need x86-64 for ELF64, i386 for ELF32)";
    case Error::BAD_HEADER_SIZE: return "bad ELF header size";
    case Error::BAD_PROGRAM_HEADER_SIZE: return "bad program header entry size";
    case Error::TRUNCATED_PROGRAM_HEADERS: return "truncated program header table";
    case Error::TOO_MANY_PROGRAM_HEADERS: return "too many program headers";
    case Error::TOO_MANY_SEGMENTS: return "too many loadable segments";
    case Error::NO_LOADABLE_SEGMENT: return "no loadable segment";
    case Error::FILESZ_EXCEEDS_MEMSZ: return "segment file size exceeds its memory size";
    case Error::SEGMENT_OUTSIDE_FILE: return "segment data outside the file";
    case Error::SEGMENT_ADDRESS_OVERFLOW: return "segment physical address range overflows";
    case Error::SEGMENTS_OVERLAP: return "loadable segments overlap";
    case Error::BAD_SECTION_HEADER_SIZE: return "bad section header entry size";
    case Error::TRUNCATED_SECTION_HEADERS: return "truncated section header table";
    case Error::NOTE_OUTSIDE_FILE: return "note segment outside the file";
    case Error::TRUNCATED_NOTE: return "truncated ELF note";
    case Error::BAD_XEN_NOTE_SIZE: return "Xen ELF note has a bad size or value";
    case Error::DUPLICATE_XEN_NOTE: return "duplicate Xen ELF note";
    case Error::NO_PVH_ENTRY: return "no PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY)";
    case Error::PVH_ENTRY_OUTSIDE_SEGMENT: return "PVH entry point outside executable segments";
    case Error::SEGMENT_OUTSIDE_GUEST_MEMORY: return "segment outside the domain's memory";
    }
    return "unknown ELF error";
}

} // namespace hv::elf
