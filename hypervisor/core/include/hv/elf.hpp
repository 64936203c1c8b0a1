// SPDX-License-Identifier: MIT
// ELF image parser for domain kernels: ELF64 x86-64 and ELF32 i386 executables (ET_EXEC), their
// PT_LOAD segments and the Xen ELF notes, above all XEN_ELFNOTE_PHYS32_ENTRY, the PVH entry
// point. Every field of the (untrusted) image is validated; the result only describes the image,
// loading it is load_segments() below or the kernel's business. Spec: docs/boot.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hv/result.hpp"

namespace hv::elf
{

enum class Error : uint8_t
{
    TRUNCATED_HEADER,
    BAD_MAGIC,
    BAD_CLASS,
    BAD_DATA_ENCODING,
    BAD_VERSION,
    NOT_EXECUTABLE,
    BAD_MACHINE,
    BAD_HEADER_SIZE,
    BAD_PROGRAM_HEADER_SIZE,
    TRUNCATED_PROGRAM_HEADERS,
    TOO_MANY_PROGRAM_HEADERS,
    TOO_MANY_SEGMENTS,
    NO_LOADABLE_SEGMENT,
    FILESZ_EXCEEDS_MEMSZ,
    SEGMENT_OUTSIDE_FILE,
    SEGMENT_ADDRESS_OVERFLOW,
    SEGMENTS_OVERLAP,
    BAD_SECTION_HEADER_SIZE,
    TRUNCATED_SECTION_HEADERS,
    NOTE_OUTSIDE_FILE,
    TRUNCATED_NOTE,
    BAD_XEN_NOTE_SIZE,
    DUPLICATE_XEN_NOTE,
    NO_PVH_ENTRY,
    PVH_ENTRY_OUTSIDE_SEGMENT,
    SEGMENT_OUTSIDE_GUEST_MEMORY,
};

// A fixed, human-readable reason for the boot log, e.g. "truncated program header table".
char const *error_name(Error e);

// ELF p_flags bits.
inline constexpr uint32_t PF_X = 1;
inline constexpr uint32_t PF_W = 2;
inline constexpr uint32_t PF_R = 4;

// Xen ELF note types (xen/include/public/elfnote.h).
inline constexpr uint32_t XEN_ELFNOTE_ENTRY = 1;
inline constexpr uint32_t XEN_ELFNOTE_HYPERCALL_PAGE = 2;
inline constexpr uint32_t XEN_ELFNOTE_GUEST_OS = 6;
inline constexpr uint32_t XEN_ELFNOTE_PHYS32_ENTRY = 18;

// Limits that bound the parser's work and the Image's size. Linux's vmlinux has 5 PT_LOADs.
inline constexpr size_t MAX_SEGMENTS = 16;
inline constexpr size_t MAX_PROGRAM_HEADERS = 64;
inline constexpr size_t MAX_SECTION_HEADERS = 4096;

struct Segment
{
    uint64_t paddr;
    uint64_t vaddr;
    uint64_t offset; // in the file
    uint64_t filesz;
    uint64_t memsz; // bytes past filesz are zero-filled
    uint32_t flags; // PF_R | PF_W | PF_X
};

struct Xen_notes
{
    std::optional<uint32_t> phys32_entry;   // XEN_ELFNOTE_PHYS32_ENTRY: the PVH entry
    std::optional<uint64_t> entry;          // XEN_ELFNOTE_ENTRY (PV only; informative)
    std::optional<uint64_t> hypercall_page; // XEN_ELFNOTE_HYPERCALL_PAGE (PV only)
    std::array<char, 16> guest_os{};        // XEN_ELFNOTE_GUEST_OS, NUL-terminated, maybe cut
};

struct Image
{
    bool elf64;
    uint64_t entry; // e_entry; NOT the PVH entry point
    std::array<Segment, MAX_SEGMENTS> segment_store;
    size_t segment_count;
    Xen_notes xen;

    std::span<Segment const> segments() const { return {segment_store.data(), segment_count}; }
    // Lowest paddr and highest paddr + memsz over all segments (memsz 0 ones excluded).
    uint64_t lowest_paddr() const;
    uint64_t end_paddr() const;
};

// Parses and validates the whole image. The Image does not point into `file`.
Result<Image, Error> parse(std::span<std::byte const> file);

// The PVH entry point, checked to lie inside an executable segment's file-backed bytes.
Result<uint32_t, Error> pvh_entry(Image const &image);

// Every segment fits in guest-physical [0, guest_bytes).
Result<void, Error> check_fits(Image const &image, uint64_t guest_bytes);

// Copies each segment's file bytes to its paddr and zero-fills the rest through SINK, which has
//   bool copy(uint64_t gpa, std::span<std::byte const> bytes);
//   bool zero(uint64_t gpa, uint64_t len);
// (false: the range is not guest memory). `file` must be the buffer that `image` came from.
template <typename SINK>
Result<void, Error> load_segments(Image const &image, std::span<std::byte const> file, SINK &sink)
{
    for (Segment const &s : image.segments()) {
        if (!sink.copy(s.paddr, file.subspan(s.offset, s.filesz)))
            return unexpected(Error::SEGMENT_OUTSIDE_GUEST_MEMORY);
        if (s.memsz > s.filesz && !sink.zero(s.paddr + s.filesz, s.memsz - s.filesz))
            return unexpected(Error::SEGMENT_OUTSIDE_GUEST_MEMORY);
    }
    return ok;
}

} // namespace hv::elf
