// SPDX-License-Identifier: MIT
#include "hv/elf.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "fakes/elf_builder.hpp"

using namespace hv_test;
using hv::elf::Error;

namespace
{

Bytes linux_like()
{
    // The shape of Linux's vmlinux: text at 16 MiB (PVH entry inside), data after, bss in memsz.
    Bytes notes = make_note("GNU", 3, Bytes(20));
    Bytes const more = make_note("Xen", 6,
                                 Bytes{std::byte{'l'}, std::byte{'i'}, std::byte{'n'},
                                       std::byte{'u'}, std::byte{'x'}, std::byte{0}});
    notes.insert(notes.end(), more.begin(), more.end());
    Bytes const pvh = make_note("Xen", 18, le_bytes(0x1000850, 8));
    notes.insert(notes.end(), pvh.begin(), pvh.end());
    Bytes const hc = make_note("Xen", 2, le_bytes(0xffffffff81001000ull, 8));
    notes.insert(notes.end(), hc.begin(), hc.end());
    Elf_builder b;
    b.entry = 0x1000000;
    b.load(0x1000000, 0x1000, 0x1000, 5).load(0x1001000, 0x200, 0x3000, 6).note(notes);
    return b.build();
}

Error parse_error(Bytes const &f)
{
    auto const r = hv::elf::parse(as_span(f));
    EXPECT_FALSE(r.has_value());
    return r ? Error::BAD_MAGIC : r.error();
}

TEST(Elf, ParsesLinuxShapedElf64WithPvhNote)
{
    Bytes const f = linux_like();
    auto const img = hv::elf::parse(as_span(f));
    ASSERT_TRUE(img.has_value()) << hv::elf::error_name(img.error());
    EXPECT_TRUE(img->elf64);
    EXPECT_EQ(img->entry, 0x1000000u);
    ASSERT_EQ(img->segments().size(), 2u);
    EXPECT_EQ(img->segments()[0].paddr, 0x1000000u);
    EXPECT_EQ(img->segments()[0].flags, hv::elf::PF_R | hv::elf::PF_X);
    EXPECT_EQ(img->segments()[1].filesz, 0x200u);
    EXPECT_EQ(img->segments()[1].memsz, 0x3000u);
    EXPECT_EQ(img->lowest_paddr(), 0x1000000u);
    EXPECT_EQ(img->end_paddr(), 0x1004000u);
    EXPECT_STREQ(img->xen.guest_os.data(), "linux");
    EXPECT_EQ(img->xen.hypercall_page, 0xffffffff81001000ull);
    EXPECT_FALSE(img->xen.entry.has_value());
    auto const entry = hv::elf::pvh_entry(*img);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(*entry, 0x1000850u);
    EXPECT_TRUE(hv::elf::check_fits(*img, 32ull << 20).has_value());
    EXPECT_EQ(hv::elf::check_fits(*img, 16ull << 20).error(), Error::SEGMENT_OUTSIDE_GUEST_MEMORY);
}

TEST(Elf, ParsesElf32TestGuestWithPvhNote)
{
    Elf_builder b = Elf_builder::elf32();
    b.load(0x100000, 0x80, 0x1000, 7).pvh(0x100010);
    Bytes const f = b.build();
    auto const img = hv::elf::parse(as_span(f));
    ASSERT_TRUE(img.has_value()) << hv::elf::error_name(img.error());
    EXPECT_FALSE(img->elf64);
    EXPECT_EQ(*hv::elf::pvh_entry(*img), 0x100010u);
}

TEST(Elf, NotesAlignedToEightAreRead)
{
    Elf_builder b;
    b.load(0x200000, 0x100, 0x100).note(make_note("Xen", 18, le_bytes(0x200004, 4), 8), 8);
    auto const img = hv::elf::parse(as_span(b.build()));
    ASSERT_TRUE(img.has_value());
    EXPECT_EQ(*hv::elf::pvh_entry(*img), 0x200004u);
}

TEST(Elf, NotesFromSectionHeadersWhenThereIsNoNoteSegment)
{
    Elf_builder b;
    b.load(0x200000, 0x100, 0x100);
    Bytes f = b.build();
    Bytes const note = make_note("Xen", 18, le_bytes(0x200020, 4));
    size_t const note_off = f.size();
    f.insert(f.end(), note.begin(), note.end());
    size_t const shoff = f.size();
    f.resize(shoff + 2 * 64); // a null section and a SHT_NOTE one
    put(f, shoff + 64 + 4, 7, 4);
    put(f, shoff + 64 + 24, note_off, 8);
    put(f, shoff + 64 + 32, note.size(), 8);
    put(f, shoff + 64 + 48, 4, 8);
    put(f, 40, shoff, 8); // e_shoff
    put(f, 58, 64, 2);    // e_shentsize
    put(f, 60, 2, 2);     // e_shnum
    auto const img = hv::elf::parse(as_span(f));
    ASSERT_TRUE(img.has_value()) << hv::elf::error_name(img.error());
    EXPECT_EQ(*hv::elf::pvh_entry(*img), 0x200020u);

    put(f, 60, 200, 2); // the table now runs off the end
    EXPECT_EQ(parse_error(f), Error::TRUNCATED_SECTION_HEADERS);
    put(f, 60, 2, 2);
    put(f, 58, 10, 2);
    EXPECT_EQ(parse_error(f), Error::BAD_SECTION_HEADER_SIZE);
}

TEST(Elf, RejectsBadHeaders)
{
    Bytes const good = linux_like();
    EXPECT_EQ(parse_error(Bytes(good.begin(), good.begin() + 10)), Error::TRUNCATED_HEADER);
    EXPECT_EQ(parse_error(Bytes(good.begin(), good.begin() + 40)), Error::TRUNCATED_HEADER);
    std::map<Error, std::pair<size_t, uint8_t>> const cases = {
        {Error::BAD_MAGIC, {1, 'X'}},       {Error::BAD_CLASS, {4, 3}},
        {Error::BAD_DATA_ENCODING, {5, 2}}, {Error::BAD_VERSION, {6, 0}},
        {Error::NOT_EXECUTABLE, {16, 3}},   {Error::BAD_MACHINE, {18, 40}},
    };
    for (auto const &[err, patch] : cases) {
        Bytes f = good;
        f[patch.first] = std::byte{patch.second};
        EXPECT_EQ(parse_error(f), err) << hv::elf::error_name(err);
    }
    Bytes f = good;
    put(f, 20, 2, 4);
    EXPECT_EQ(parse_error(f), Error::BAD_VERSION);
    f = good;
    put(f, 52, 20, 2);
    EXPECT_EQ(parse_error(f), Error::BAD_HEADER_SIZE);
    // An ELF64 file claiming to be i386 is refused, as is ELF32 claiming x86-64.
    Elf_builder b = Elf_builder::elf32();
    b.machine = 62;
    b.load(0x100000, 4, 4);
    EXPECT_EQ(parse_error(b.build()), Error::BAD_MACHINE);
}

TEST(Elf, RejectsBadProgramHeaderTables)
{
    Bytes const good = linux_like();
    Bytes f = good;
    put(f, 56, 0, 2);
    EXPECT_EQ(parse_error(f), Error::NO_LOADABLE_SEGMENT);
    put(f, 56, 0xffff, 2); // PN_XNUM
    EXPECT_EQ(parse_error(f), Error::TOO_MANY_PROGRAM_HEADERS);
    f = good;
    put(f, 54, 40, 2);
    EXPECT_EQ(parse_error(f), Error::BAD_PROGRAM_HEADER_SIZE);
    f = good;
    put(f, 32, f.size() - 60, 8); // e_phoff near the end
    EXPECT_EQ(parse_error(f), Error::TRUNCATED_PROGRAM_HEADERS);
    put(f, 32, ~0ull - 10, 8); // and an offset that would wrap
    EXPECT_EQ(parse_error(f), Error::TRUNCATED_PROGRAM_HEADERS);
    EXPECT_EQ(parse_error(Bytes(good.begin(), good.begin() + 64 + 56)),
              Error::TRUNCATED_PROGRAM_HEADERS);
    EXPECT_STREQ(hv::elf::error_name(Error::TRUNCATED_PROGRAM_HEADERS),
                 "truncated program header table");
}

TEST(Elf, RejectsBadSegments)
{
    Elf_builder b;
    b.load(0x100000, 0x100, 0x10);
    EXPECT_EQ(parse_error(b.build()), Error::FILESZ_EXCEEDS_MEMSZ);

    Bytes f = Elf_builder{}.load(0x100000, 0x100, 0x100).build();
    Elf_builder const one;
    put(f, one.phdr(0) + 8, f.size() - 0x80, 8); // offset: data runs past the end
    EXPECT_EQ(parse_error(f), Error::SEGMENT_OUTSIDE_FILE);
    put(f, one.phdr(0) + 8, ~0ull - 0x10, 8); // offset + filesz wraps
    EXPECT_EQ(parse_error(f), Error::SEGMENT_OUTSIDE_FILE);

    EXPECT_EQ(parse_error(Elf_builder{}.load(~0ull - 0x10, 0, 0x100).build()),
              Error::SEGMENT_ADDRESS_OVERFLOW);
    EXPECT_EQ(parse_error(Elf_builder{}.load(1ull << 52, 0, 0x100).build()),
              Error::SEGMENT_ADDRESS_OVERFLOW);
    EXPECT_EQ(parse_error(Elf_builder::elf32().load(0xfffff000u, 0, 0x2000).build()),
              Error::SEGMENT_ADDRESS_OVERFLOW);
    EXPECT_EQ(parse_error(Elf_builder{}.load(0x100000, 0x10, 0x2000).load(0x101000, 0, 4).build()),
              Error::SEGMENTS_OVERLAP);
    EXPECT_EQ(parse_error(Elf_builder{}.load(0x101000, 0, 4).load(0x100000, 0x10, 0x1001).build()),
              Error::SEGMENTS_OVERLAP);

    Elf_builder many;
    for (uint64_t i = 0; i <= hv::elf::MAX_SEGMENTS; ++i)
        many.load(0x100000 + i * 0x1000, 8, 8);
    EXPECT_EQ(parse_error(many.build()), Error::TOO_MANY_SEGMENTS);
    EXPECT_EQ(parse_error(Elf_builder{}.note(make_note("Xen", 18, le_bytes(1, 4))).build()),
              Error::NO_LOADABLE_SEGMENT);

    // Adjacent segments and empty ones are fine.
    auto const img = hv::elf::parse(as_span(Elf_builder{}
                                                .load(0x100000, 0x10, 0x1000)
                                                .load(0x101000, 0, 0)
                                                .load(0x101000, 4, 4)
                                                .build()));
    ASSERT_TRUE(img.has_value());
    EXPECT_EQ(img->segments().size(), 2u);
}

TEST(Elf, RejectsBadNotes)
{
    auto with_notes = [](Bytes const &notes) {
        return Elf_builder{}.load(0x100000, 0x100, 0x100).note(notes).build();
    };
    Bytes n = make_note("Xen", 18, le_bytes(0x100000, 4));
    EXPECT_EQ(parse_error(with_notes(Bytes(n.begin(), n.begin() + 8))), Error::TRUNCATED_NOTE);
    Bytes big = n;
    put(big, 4, 0x1000, 4); // descsz beyond the note segment
    EXPECT_EQ(parse_error(with_notes(big)), Error::TRUNCATED_NOTE);
    put(big, 0, 0xffffffff, 4); // namesz huge
    EXPECT_EQ(parse_error(with_notes(big)), Error::TRUNCATED_NOTE);
    EXPECT_EQ(parse_error(with_notes(make_note("Xen", 18, le_bytes(1, 2)))),
              Error::BAD_XEN_NOTE_SIZE);
    EXPECT_EQ(parse_error(with_notes(make_note("Xen", 18, le_bytes(1ull << 32, 8)))),
              Error::BAD_XEN_NOTE_SIZE);
    Bytes twice = n;
    twice.insert(twice.end(), n.begin(), n.end());
    EXPECT_EQ(parse_error(with_notes(twice)), Error::DUPLICATE_XEN_NOTE);

    Bytes f = with_notes(n);
    Elf_builder const two;
    put(f, two.phdr(1) + 32, f.size(), 8); // note filesz past the end
    EXPECT_EQ(parse_error(f), Error::NOTE_OUTSIDE_FILE);

    // A note named "Xenon" with type 18 is not a Xen note.
    auto const img = hv::elf::parse(as_span(with_notes(make_note("Xenon", 18, le_bytes(1, 4)))));
    ASSERT_TRUE(img.has_value());
    EXPECT_EQ(hv::elf::pvh_entry(*img).error(), Error::NO_PVH_ENTRY);
}

TEST(Elf, PvhEntryMustBeInAnExecutableSegment)
{
    auto entry_error = [](Elf_builder b) {
        auto const img = hv::elf::parse(as_span(b.build()));
        EXPECT_TRUE(img.has_value());
        return hv::elf::pvh_entry(*img).error();
    };
    EXPECT_EQ(entry_error(Elf_builder{}.load(0x100000, 0x100, 0x100, 6).pvh(0x100000)),
              Error::PVH_ENTRY_OUTSIDE_SEGMENT);
    EXPECT_EQ(entry_error(Elf_builder{}.load(0x100000, 0x100, 0x1000, 5).pvh(0x100100)),
              Error::PVH_ENTRY_OUTSIDE_SEGMENT); // in the zero-filled part
    EXPECT_EQ(entry_error(Elf_builder{}.load(0x100000, 0x100, 0x100, 5).pvh(0xfffff)),
              Error::PVH_ENTRY_OUTSIDE_SEGMENT);
    EXPECT_EQ(entry_error(Elf_builder{}.load(0x100000, 0x100, 0x100, 5)), Error::NO_PVH_ENTRY);
}

struct Ram_sink
{
    Bytes ram = Bytes(0x200000, std::byte{0xcc});
    bool copy(uint64_t gpa, std::span<std::byte const> b)
    {
        if (gpa > ram.size() || b.size() > ram.size() - gpa)
            return false;
        std::memcpy(ram.data() + gpa, b.data(), b.size());
        return true;
    }
    bool zero(uint64_t gpa, uint64_t len)
    {
        if (gpa > ram.size() || len > ram.size() - gpa)
            return false;
        std::memset(ram.data() + gpa, 0, len);
        return true;
    }
};

TEST(Elf, LoadSegmentsCopiesAndZeroFills)
{
    Bytes const f = Elf_builder{}.load(0x100000, 0x10, 0x20).load(0x1ff000, 4, 0x1000).build();
    auto const img = hv::elf::parse(as_span(f));
    ASSERT_TRUE(img.has_value());
    Ram_sink sink;
    ASSERT_TRUE(hv::elf::load_segments(*img, as_span(f), sink).has_value());
    EXPECT_EQ(sink.ram[0x100000], std::byte{1});
    EXPECT_EQ(sink.ram[0x10000f], std::byte{15 * 7 + 1});
    EXPECT_EQ(sink.ram[0x100010], std::byte{0});
    EXPECT_EQ(sink.ram[0x10001f], std::byte{0});
    EXPECT_EQ(sink.ram[0x100020], std::byte{0xcc});
    EXPECT_EQ(sink.ram[0x1fffff], std::byte{0});

    Bytes const g = Elf_builder{}.load(0x1ff000, 4, 0x2000).build();
    auto const too_big = hv::elf::parse(as_span(g));
    ASSERT_TRUE(too_big.has_value());
    EXPECT_EQ(hv::elf::load_segments(*too_big, as_span(g), sink).error(),
              Error::SEGMENT_OUTSIDE_GUEST_MEMORY);
}

TEST(Elf, EveryErrorHasADistinctName)
{
    std::map<std::string, int> seen;
    for (int e = 0; e <= static_cast<int>(Error::SEGMENT_OUTSIDE_GUEST_MEMORY); ++e)
        ++seen[hv::elf::error_name(static_cast<Error>(e))];
    for (auto const &[name, count] : seen)
        EXPECT_EQ(count, 1) << name;
    EXPECT_EQ(seen.size(), static_cast<size_t>(Error::SEGMENT_OUTSIDE_GUEST_MEMORY) + 1);
}

} // namespace
