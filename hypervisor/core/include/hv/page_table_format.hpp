// SPDX-License-Identifier: MIT
// Entry formats for the 4-level page-table builder (page_table.hpp): the same walker builds the
// hypervisor's own tables, AMD nested page tables and Intel EPT, and only these policies know
// the bits. Each format provides table(), leaf(), present(), large(), address(), perms() and
// mem_type(), plus CANONICAL (addresses are sign-extended virtual ones) and ALLOW_WRITE_EXEC.
#pragma once

#include <cstdint>

namespace hv::pt
{

// Access rights of a mapping, as a bit set.
using Perms = uint8_t;
inline constexpr Perms R = 1;
inline constexpr Perms W = 2;
inline constexpr Perms X = 4;
inline constexpr Perms USER = 8; // host tables only: user-accessible (SMEP/SMAP apply)

enum class Mem_type : uint8_t
{
    WB, // write-back: RAM
    UC, // uncached: MMIO
};

inline constexpr uint64_t ADDR_MASK = 0x000ffffffffff000ull; // bits 51:12

// x86-64 long-mode entries, shared by host tables and AMD NPT.
struct X86_bits
{
    static constexpr uint64_t P = 1ull << 0;
    static constexpr uint64_t RW = 1ull << 1;
    static constexpr uint64_t US = 1ull << 2;
    static constexpr uint64_t PWT = 1ull << 3;
    static constexpr uint64_t PCD = 1ull << 4;
    static constexpr uint64_t PS = 1ull << 7;
    static constexpr uint64_t NX = 1ull << 63;

    static constexpr bool present(uint64_t e) { return (e & P) != 0; }
    static constexpr bool large(uint64_t e) { return (e & PS) != 0; }
    static constexpr uint64_t address(uint64_t e) { return e & ADDR_MASK; }
    static constexpr Mem_type mem_type(uint64_t e)
    {
        return (e & PCD) != 0 ? Mem_type::UC : Mem_type::WB;
    }
    static constexpr bool valid(Perms p) { return (p & R) != 0; } // present implies readable

    static constexpr uint64_t leaf_bits(uint64_t pa, Perms p, Mem_type t, bool large)
    {
        return pa | P | ((p & W) != 0 ? RW : 0) | ((p & X) != 0 ? 0 : NX) | (large ? PS : 0) |
               (t == Mem_type::UC ? PCD | PWT : 0);
    }
};

// The hypervisor's own tables: supervisor unless USER, NX on everything not executable, and a
// writable executable mapping is refused (W^X).
struct Host_format : X86_bits
{
    static constexpr bool CANONICAL = true;
    static constexpr bool ALLOW_WRITE_EXEC = false;

    // Intermediate entries grant everything; the leaf decides (effective rights are the AND).
    static constexpr uint64_t table(uint64_t pa) { return pa | P | RW | US; }
    static constexpr uint64_t leaf(uint64_t pa, Perms p, Mem_type t, bool large)
    {
        return leaf_bits(pa, p, t, large) | ((p & USER) != 0 ? US : 0);
    }
    static constexpr Perms perms(uint64_t e)
    {
        return static_cast<Perms>(R | ((e & RW) != 0 ? W : 0) | ((e & NX) != 0 ? 0 : X) |
                                  ((e & US) != 0 ? USER : 0));
    }
};

// AMD nested page tables: host-format entries, but nested walks are user accesses, so U/S must
// be set on every level or the first guest fetch faults (testbeds.md, "NPT leaf entries
// without U/S"). NX needs EFER.NXE in the host, which W^X turns on anyway.
struct Npt_format : X86_bits
{
    static constexpr bool CANONICAL = false;
    static constexpr bool ALLOW_WRITE_EXEC = true;

    static constexpr uint64_t table(uint64_t pa) { return pa | P | RW | US; }
    static constexpr uint64_t leaf(uint64_t pa, Perms p, Mem_type t, bool large)
    {
        return leaf_bits(pa, p, t, large) | US;
    }
    static constexpr Perms perms(uint64_t e)
    {
        return static_cast<Perms>(R | ((e & RW) != 0 ? W : 0) | ((e & NX) != 0 ? 0 : X));
    }
};

// Intel EPT: read, write, execute in bits 0-2, the memory type in bits 5:3 of leaves, bit 7 for
// a large page. Write without read is a misconfiguration and is refused.
struct Ept_format
{
    static constexpr bool CANONICAL = false;
    static constexpr bool ALLOW_WRITE_EXEC = true;
    static constexpr uint64_t ER = 1ull << 0;
    static constexpr uint64_t EW = 1ull << 1;
    static constexpr uint64_t EX = 1ull << 2;
    static constexpr uint64_t TYPE_SHIFT = 3;
    static constexpr uint64_t TYPE_UC = 0;
    static constexpr uint64_t TYPE_WB = 6;
    static constexpr uint64_t PS = 1ull << 7;

    static constexpr bool present(uint64_t e) { return (e & (ER | EW | EX)) != 0; }
    static constexpr bool large(uint64_t e) { return (e & PS) != 0; }
    static constexpr uint64_t address(uint64_t e) { return e & ADDR_MASK; }
    static constexpr bool valid(Perms p) { return (p & (R | X)) != 0 && !((p & W) && !(p & R)); }
    static constexpr uint64_t table(uint64_t pa) { return pa | ER | EW | EX; }
    static constexpr uint64_t leaf(uint64_t pa, Perms p, Mem_type t, bool large)
    {
        return pa | ((p & R) != 0 ? ER : 0) | ((p & W) != 0 ? EW : 0) | ((p & X) != 0 ? EX : 0) |
               ((t == Mem_type::WB ? TYPE_WB : TYPE_UC) << TYPE_SHIFT) | (large ? PS : 0);
    }
    static constexpr Perms perms(uint64_t e)
    {
        return static_cast<Perms>(((e & ER) != 0 ? R : 0) | ((e & EW) != 0 ? W : 0) |
                                  ((e & EX) != 0 ? X : 0));
    }
    static constexpr Mem_type mem_type(uint64_t e)
    {
        return ((e >> TYPE_SHIFT) & 7) == TYPE_WB ? Mem_type::WB : Mem_type::UC;
    }
};

} // namespace hv::pt
