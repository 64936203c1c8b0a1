// SPDX-License-Identifier: MIT
// Builds small ELF64 (x86-64) and ELF32 (i386) executables in memory for the ELF parser tests:
// ELF header, program headers, then each segment's bytes in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hv_test
{

using Bytes = std::vector<std::byte>;

inline void put(Bytes &b, size_t off, uint64_t v, size_t n)
{
    if (b.size() < off + n)
        b.resize(off + n);
    for (size_t i = 0; i < n; ++i)
        b[off + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}

inline uint64_t get(Bytes const &b, size_t off, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= static_cast<uint64_t>(b[off + i]) << (8 * i);
    return v;
}

// One ELF note: name "Xen" (or another), type, descriptor; padded to `align`.
inline Bytes make_note(std::string const &name, uint32_t type, Bytes const &desc, size_t align = 4)
{
    Bytes n;
    size_t const namesz = name.size() + 1;
    put(n, 0, namesz, 4);
    put(n, 4, desc.size(), 4);
    put(n, 8, type, 4);
    size_t pos = 12;
    for (char c : name)
        n.push_back(static_cast<std::byte>(c)), ++pos;
    n.push_back(std::byte{0}), ++pos;
    while (pos % align != 0)
        n.push_back(std::byte{0}), ++pos;
    for (std::byte c : desc)
        n.push_back(c), ++pos;
    while (pos % align != 0)
        n.push_back(std::byte{0}), ++pos;
    return n;
}

inline Bytes le_bytes(uint64_t v, size_t n)
{
    Bytes b;
    put(b, 0, v, n);
    return b;
}

struct Elf_builder
{
    struct Seg
    {
        uint32_t type;
        uint32_t flags;
        uint64_t paddr;
        uint64_t vaddr;
        Bytes data;
        uint64_t memsz;
        uint64_t align;
    };

    bool elf64 = true;
    uint16_t type = 2;
    uint16_t machine = 62;
    uint64_t entry = 0x100000;
    std::vector<Seg> segs;

    static Elf_builder elf32()
    {
        Elf_builder b;
        b.elf64 = false;
        b.machine = 3;
        return b;
    }

    Elf_builder &load(uint64_t paddr, size_t filesz, uint64_t memsz, uint32_t flags = 5)
    {
        Bytes data(filesz);
        for (size_t i = 0; i < filesz; ++i)
            data[i] = static_cast<std::byte>(i * 7 + 1);
        segs.push_back({1, flags, paddr, paddr + 0xffffffff80000000ull, data, memsz, 0x1000});
        return *this;
    }
    Elf_builder &note(Bytes const &notes, uint64_t align = 4)
    {
        segs.push_back({4, 4, 0, 0, notes, notes.size(), align});
        return *this;
    }
    Elf_builder &pvh(uint32_t entry_paddr, size_t size = 4)
    {
        return note(make_note("Xen", 18, le_bytes(entry_paddr, size)));
    }

    size_t ehsize() const { return elf64 ? 64 : 52; }
    size_t phentsize() const { return elf64 ? 56 : 32; }
    // Offset of program header i in the built file.
    size_t phdr(size_t i) const { return ehsize() + i * phentsize(); }

    Bytes build() const
    {
        Bytes f(ehsize() + segs.size() * phentsize());
        f[0] = std::byte{0x7f}, f[1] = std::byte{'E'}, f[2] = std::byte{'L'};
        f[3] = std::byte{'F'};
        f[4] = std::byte{static_cast<unsigned char>(elf64 ? 2 : 1)};
        f[5] = std::byte{1}, f[6] = std::byte{1};
        put(f, 16, type, 2);
        put(f, 18, machine, 2);
        put(f, 20, 1, 4);
        size_t const w = elf64 ? 8 : 4;
        put(f, 24, entry, w);
        put(f, 24 + w, ehsize(), w);        // e_phoff
        put(f, 24 + 2 * w, 0, w);           // e_shoff
        size_t const geo = elf64 ? 52 : 40; // e_ehsize
        put(f, geo, ehsize(), 2);
        put(f, geo + 2, phentsize(), 2);
        put(f, geo + 4, segs.size(), 2);
        for (size_t i = 0; i < segs.size(); ++i) {
            Seg const &s = segs[i];
            size_t const off = f.size();
            f.insert(f.end(), s.data.begin(), s.data.end());
            size_t const p = phdr(i);
            put(f, p, s.type, 4);
            if (elf64) {
                put(f, p + 4, s.flags, 4);
                put(f, p + 8, off, 8);
                put(f, p + 16, s.vaddr, 8);
                put(f, p + 24, s.paddr, 8);
                put(f, p + 32, s.data.size(), 8);
                put(f, p + 40, s.memsz, 8);
                put(f, p + 48, s.align, 8);
            } else {
                put(f, p + 4, off, 4);
                put(f, p + 8, s.vaddr & 0xffffffff, 4);
                put(f, p + 12, s.paddr, 4);
                put(f, p + 16, s.data.size(), 4);
                put(f, p + 20, s.memsz, 4);
                put(f, p + 24, s.flags, 4);
                put(f, p + 28, s.align, 4);
            }
        }
        return f;
    }
};

inline std::span<std::byte const> as_span(Bytes const &b)
{
    return {b.data(), b.size()};
}

} // namespace hv_test
