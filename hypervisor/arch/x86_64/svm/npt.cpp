// SPDX-License-Identifier: MIT
// Nested page table walk for the SVM backend: 4 KiB leaves, table pages from the Page_provider.
// Guest-physical addresses are limited to 48 bits (4 levels).
#include "arch/x86_64/svm/npt.hpp"

#include "arch/x86_64/paging.hpp"

namespace hv::arch::svm
{
namespace
{
constexpr uint64_t P = 1, RW = 2, US = 4;
constexpr uint64_t ADDR_MASK = 0x000ffffffffff000ull;
constexpr uint64_t GPA_LIMIT = 1ull << 48;
constexpr uint64_t PAGE = 4096;

unsigned index(uint64_t gpa, unsigned level) // level 3 = PML4 .. 0 = PT
{
    return static_cast<unsigned>((gpa >> (12 + 9 * level)) & 511);
}
} // namespace

Result<void, Error> Npt::init(Page_provider &pages, uint32_t asid)
{
    pages_ = &pages;
    root_ = HV_TRY(pages.alloc_pages(1));
    asid_ = asid;
    generation_ = 0;
    return ok;
}

uint64_t *Npt::entry(uint64_t gpa, bool create)
{
    uint64_t table = root_;
    for (unsigned level = 3; level > 0; --level) {
        uint64_t &e = x86::phys_to_virt<uint64_t>(table)[index(gpa, level)];
        if ((e & P) == 0) {
            if (!create)
                return nullptr;
            auto const page = pages_->alloc_pages(1);
            if (!page)
                return nullptr;
            e = *page | P | RW | US;
        }
        table = e & ADDR_MASK;
    }
    return &x86::phys_to_virt<uint64_t>(table)[index(gpa, 0)];
}

Result<void, Error> Npt::map(uint64_t gpa, uint64_t hpa, uint64_t bytes, uint8_t perm)
{
    if ((gpa | hpa | bytes) & (PAGE - 1) || bytes == 0 || gpa >= GPA_LIMIT ||
        bytes > GPA_LIMIT - gpa || (perm & READ) == 0 || (hpa & ~ADDR_MASK) != 0)
        return unexpected(Error::BAD_ARGUMENT);
    for (uint64_t off = 0; off < bytes; off += PAGE) {
        uint64_t *const e = entry(gpa + off, true);
        if (e == nullptr || (*e & P) != 0) {
            bool const mapped = e != nullptr;
            unmap(gpa, off);
            return unexpected(mapped ? Error::ALREADY_MAPPED : Error::OUT_OF_MEMORY);
        }
        // NX is left clear: guest memory is executable unless EXEC is withheld, which the
        // backend does not support yet (the host runs with EFER.NXE, so it could).
        *e = (hpa + off) | P | US | ((perm & WRITE) ? RW : 0);
    }
    return ok;
}

void Npt::unmap(uint64_t gpa, uint64_t bytes)
{
    for (uint64_t off = 0; off < bytes && gpa + off < GPA_LIMIT; off += PAGE)
        if (uint64_t *const e = entry(gpa + off, false))
            *e = 0;
    ++generation_;
}

std::optional<uint64_t> Npt::translate(uint64_t gpa) const
{
    if (gpa >= GPA_LIMIT)
        return std::nullopt;
    uint64_t const *const e = const_cast<Npt *>(this)->entry(gpa, false);
    if (e == nullptr || (*e & P) == 0)
        return std::nullopt;
    return (*e & ADDR_MASK) | (gpa & (PAGE - 1));
}

void Npt::free_level(uint64_t table_pa, unsigned level)
{
    if (level > 0) {
        uint64_t const *const t = x86::phys_to_virt<uint64_t>(table_pa);
        for (unsigned i = 0; i < 512; ++i)
            if (t[i] & P)
                free_level(t[i] & ADDR_MASK, level - 1);
    }
    pages_->free_pages(table_pa, 1);
}

void Npt::release()
{
    if (root_ != 0)
        free_level(root_, 3);
    root_ = 0;
}

} // namespace hv::arch::svm
