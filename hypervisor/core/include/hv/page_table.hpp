// SPDX-License-Identifier: MIT
// A 4-level x86-64 page-table builder (Hedron's shape): hardware access goes through policies,
//   FORMAT      the entry bits (Host_format, Npt_format, Ept_format in page_table_format.hpp)
//   MEMORY      uint64_t read(uint64_t table_pa, unsigned index) const;
//               void write(uint64_t table_pa, unsigned index, uint64_t value);
//   PAGE_ALLOC  std::optional<uint64_t> alloc_table();   // a zeroed 4 KiB frame
//               void free_table(uint64_t pa);
// so the kernel passes its direct map and frame allocator and the unit tests a recording fake.
// Every update is one 64-bit entry write, new tables are linked while still empty and leaves
// are written last, so a concurrent walker sees either the old or the new translation.
// TLB invalidation (INVLPG, ASID flush, INVEPT) after unmap() and protect() is the caller's.
#pragma once

#include <cstdint>
#include <optional>

#include "hv/page_table_format.hpp"
#include "hv/result.hpp"

namespace hv::pt
{

enum class Page_size : uint8_t
{
    SIZE_4K,
    SIZE_2M,
};

inline constexpr uint64_t bytes(Page_size s)
{
    return s == Page_size::SIZE_4K ? 4096 : 2ull << 20;
}

enum class Error : uint8_t
{
    MISALIGNED,
    BAD_ADDRESS,
    BAD_PERMISSIONS,
    WRITE_EXEC_REFUSED,
    ALREADY_MAPPED,
    NOT_MAPPED,
    SIZE_MISMATCH,
    OUT_OF_MEMORY,
};

constexpr char const *error_name(Error e)
{
    switch (e) {
    case Error::MISALIGNED: return "address or length not aligned to the page size";
    case Error::BAD_ADDRESS: return "address outside the translatable range";
    case Error::BAD_PERMISSIONS: return "permissions not expressible in this format";
    case Error::WRITE_EXEC_REFUSED: return "writable and executable mapping refused (W^X)";
    case Error::ALREADY_MAPPED: return "range already mapped";
    case Error::NOT_MAPPED: return "address not mapped";
    case Error::SIZE_MISMATCH: return "mapping has a different page size";
    case Error::OUT_OF_MEMORY: return "out of memory for page tables";
    }
    return "unknown page table error";
}

struct Mapping
{
    uint64_t pa; // translation of the looked-up address (page base + offset)
    Page_size size;
    Perms perms;
    Mem_type type;
};

template <typename FORMAT, typename MEMORY, typename PAGE_ALLOC> class Page_table
{
  public:
    static Result<Page_table, Error> create(MEMORY &mem, PAGE_ALLOC &alloc)
    {
        auto const root = alloc.alloc_table();
        if (!root)
            return unexpected(Error::OUT_OF_MEMORY);
        return Page_table{mem, alloc, *root};
    }

    // The physical address for CR3, the VMCB's nCR3 or the EPTP.
    uint64_t root() const { return root_; }

    Result<void, Error> map(uint64_t va, uint64_t pa, Page_size size, Perms perms,
                            Mem_type type = Mem_type::WB)
    {
        HV_TRY(check(va, pa, bytes(size)));
        if (va % bytes(size) != 0 || pa % bytes(size) != 0)
            return unexpected(Error::MISALIGNED);
        HV_TRY(check_perms(perms));
        unsigned const target = size == Page_size::SIZE_4K ? 1 : 2;
        uint64_t table = root_;
        for (unsigned level = 4; level > target; --level) {
            uint64_t const e = mem_->read(table, index(va, level));
            if (!FORMAT::present(e)) {
                auto const fresh = alloc_->alloc_table();
                if (!fresh)
                    return unexpected(Error::OUT_OF_MEMORY);
                mem_->write(table, index(va, level), FORMAT::table(*fresh));
                table = *fresh;
            } else if (FORMAT::large(e)) {
                return unexpected(Error::ALREADY_MAPPED);
            } else {
                table = FORMAT::address(e);
            }
        }
        unsigned const i = index(va, target);
        uint64_t const old = mem_->read(table, i);
        if (FORMAT::present(old)) {
            // An empty table left behind by unmapping 4 KiB pages may give way to a 2 MiB page.
            if (target == 1 || FORMAT::large(old) || !empty(FORMAT::address(old)))
                return unexpected(Error::ALREADY_MAPPED);
        }
        mem_->write(table, i, FORMAT::leaf(pa, perms, type, target == 2));
        if (FORMAT::present(old))
            alloc_->free_table(FORMAT::address(old));
        return ok;
    }

    // Maps [va, va + len) to [pa, pa + len), with 2 MiB pages where both sides are aligned and
    // allow_large. All or nothing: on an error every page this call mapped is unmapped again.
    Result<void, Error> map_range(uint64_t va, uint64_t pa, uint64_t len, Perms perms,
                                  Mem_type type = Mem_type::WB, bool allow_large = true)
    {
        HV_TRY(check(va, pa, len));
        uint64_t done = 0;
        while (done < len) {
            Page_size const s = step(va + done, pa + done, len - done, allow_large);
            auto const r = map(va + done, pa + done, s, perms, type);
            if (!r) {
                for (uint64_t undo = 0; undo < done;) {
                    Page_size const u = step(va + undo, pa + undo, len - undo, allow_large);
                    (void)unmap(va + undo, u); // mapped by this call: cannot fail
                    undo += bytes(u);
                }
                return r;
            }
            done += bytes(s);
        }
        return ok;
    }

    Result<void, Error> unmap(uint64_t va, Page_size size)
    {
        auto const slot = HV_TRY(leaf_slot(va, size));
        mem_->write(slot.table, slot.index, 0);
        return ok;
    }

    // Unmaps every page inside [va, va + len); holes are skipped. A large page that sticks out
    // of the range is an error, checked before anything changes.
    Result<void, Error> unmap_range(uint64_t va, uint64_t len)
    {
        if (len == 0)
            return ok;
        HV_TRY(check(va, 0, len));
        for (int pass = 0; pass < 2; ++pass) {
            for (uint64_t off = 0; off < len;) {
                auto const m = lookup(va + off);
                if (!m) {
                    off += 4096;
                    continue;
                }
                uint64_t const size = bytes(m->size);
                if ((va + off) % size != 0 || len - off < size)
                    return unexpected(Error::SIZE_MISMATCH);
                if (pass == 1)
                    HV_TRY(unmap(va + off, m->size));
                off += size;
            }
        }
        return ok;
    }

    // New rights for an existing mapping of exactly this size; address and type are kept.
    Result<void, Error> protect(uint64_t va, Page_size size, Perms perms)
    {
        HV_TRY(check_perms(perms));
        auto const slot = HV_TRY(leaf_slot(va, size));
        uint64_t const e = mem_->read(slot.table, slot.index);
        mem_->write(slot.table, slot.index,
                    FORMAT::leaf(FORMAT::address(e) & ~(bytes(size) - 1), perms,
                                 FORMAT::mem_type(e), size == Page_size::SIZE_2M));
        return ok;
    }

    std::optional<Mapping> lookup(uint64_t va) const
    {
        if (!address_ok(va))
            return std::nullopt;
        uint64_t table = root_;
        for (unsigned level = 4; level >= 1; --level) {
            uint64_t const e = mem_->read(table, index(va, level));
            if (!FORMAT::present(e))
                return std::nullopt;
            if (level == 1 || (level == 2 && FORMAT::large(e))) {
                Page_size const s = level == 1 ? Page_size::SIZE_4K : Page_size::SIZE_2M;
                uint64_t const base = FORMAT::address(e) & ~(bytes(s) - 1);
                return Mapping{base + (va & (bytes(s) - 1)), s, FORMAT::perms(e),
                               FORMAT::mem_type(e)};
            }
            if (FORMAT::large(e))
                return std::nullopt; // 1 GiB pages are never built here
            table = FORMAT::address(e);
        }
        return std::nullopt;
    }

    // Frees every table, the root included. The mapped frames themselves are the caller's.
    void destroy()
    {
        for (unsigned i4 = 0; i4 < 512; ++i4) {
            uint64_t const e4 = mem_->read(root_, i4);
            if (!FORMAT::present(e4))
                continue;
            uint64_t const t3 = FORMAT::address(e4);
            for (unsigned i3 = 0; i3 < 512; ++i3) {
                uint64_t const e3 = mem_->read(t3, i3);
                if (!FORMAT::present(e3) || FORMAT::large(e3))
                    continue;
                uint64_t const t2 = FORMAT::address(e3);
                for (unsigned i2 = 0; i2 < 512; ++i2) {
                    uint64_t const e2 = mem_->read(t2, i2);
                    if (FORMAT::present(e2) && !FORMAT::large(e2))
                        alloc_->free_table(FORMAT::address(e2));
                }
                alloc_->free_table(t2);
            }
            alloc_->free_table(t3);
        }
        alloc_->free_table(root_);
        root_ = 0;
    }

  private:
    Page_table(MEMORY &mem, PAGE_ALLOC &alloc, uint64_t root)
        : mem_{&mem}, alloc_{&alloc}, root_{root}
    {}

    struct Slot
    {
        uint64_t table;
        unsigned index;
    };

    static unsigned index(uint64_t va, unsigned level)
    {
        return static_cast<unsigned>((va >> (12 + 9 * (level - 1))) & 511);
    }

    static bool address_ok(uint64_t va)
    {
        if (!FORMAT::CANONICAL)
            return va < (1ull << 48);
        uint64_t const top = va >> 47; // bits 63:47 all equal
        return top == 0 || top == (1ull << 17) - 1;
    }

    static Page_size step(uint64_t va, uint64_t pa, uint64_t left, bool allow_large)
    {
        uint64_t const big = bytes(Page_size::SIZE_2M);
        bool const fits = allow_large && va % big == 0 && pa % big == 0 && left >= big;
        return fits ? Page_size::SIZE_2M : Page_size::SIZE_4K;
    }

    // Page-aligned, non-empty, inside the translatable range on both sides, no wrap-around.
    static Result<void, Error> check(uint64_t va, uint64_t pa, uint64_t len)
    {
        if (va % 4096 != 0 || pa % 4096 != 0 || len % 4096 != 0 || len == 0)
            return unexpected(Error::MISALIGNED);
        uint64_t const last = va + (len - 1);
        if (last < va || !address_ok(va) || !address_ok(last) || (va >> 47) != (last >> 47))
            return unexpected(Error::BAD_ADDRESS);
        uint64_t const pa_last = pa + (len - 1);
        if (pa_last < pa || pa_last > (ADDR_MASK | 0xfff))
            return unexpected(Error::BAD_ADDRESS);
        return ok;
    }

    static Result<void, Error> check_perms(Perms p)
    {
        if (!FORMAT::valid(p))
            return unexpected(Error::BAD_PERMISSIONS);
        if (!FORMAT::ALLOW_WRITE_EXEC && (p & W) != 0 && (p & X) != 0)
            return unexpected(Error::WRITE_EXEC_REFUSED);
        return ok;
    }

    bool empty(uint64_t table) const
    {
        for (unsigned i = 0; i < 512; ++i)
            if (FORMAT::present(mem_->read(table, i)))
                return false;
        return true;
    }

    // The entry that maps va with a page of exactly `size`.
    Result<Slot, Error> leaf_slot(uint64_t va, Page_size size) const
    {
        if (va % bytes(size) != 0)
            return unexpected(Error::MISALIGNED);
        if (!address_ok(va))
            return unexpected(Error::BAD_ADDRESS);
        unsigned const target = size == Page_size::SIZE_4K ? 1 : 2;
        uint64_t table = root_;
        for (unsigned level = 4;; --level) {
            uint64_t const e = mem_->read(table, index(va, level));
            if (!FORMAT::present(e))
                return unexpected(Error::NOT_MAPPED);
            bool const leaf = level == 1 || FORMAT::large(e);
            if (level == target)
                return leaf ? Result<Slot, Error>{Slot{table, index(va, level)}}
                            : Result<Slot, Error>{unexpected(Error::SIZE_MISMATCH)};
            if (leaf)
                return unexpected(Error::SIZE_MISMATCH);
            table = FORMAT::address(e);
        }
    }

    MEMORY *mem_;
    PAGE_ALLOC *alloc_;
    uint64_t root_;
};

} // namespace hv::pt
