// SPDX-License-Identifier: MIT
// EPT walk for the VMX backend (SDM Vol. 3C, 29.3.2): entries carry R/W/X in bits 2:0; leaves
// add the memory type (write-back) in bits 5:3. Guest-physical addresses are limited to 48 bits.
#include "arch/x86_64/vmx/ept.hpp"

#include "arch/x86_64/paging.hpp"
#include "hv/vmx/control_plan.hpp"

namespace hv::arch::vmx
{
namespace
{
constexpr uint64_t EPT_R = 1, EPT_W = 2, EPT_X = 4;
constexpr uint64_t EPT_RWX = EPT_R | EPT_W | EPT_X;
constexpr uint64_t EPT_MEMTYPE_WB = 6ull << 3;
constexpr uint64_t ADDR_MASK = 0x000ffffffffff000ull;
constexpr uint64_t GPA_LIMIT = 1ull << 48;
constexpr uint64_t PAGE = 4096;

unsigned index(uint64_t gpa, unsigned level) // level 3 = PML4 .. 0 = PT
{
    return static_cast<unsigned>((gpa >> (12 + 9 * level)) & 511);
}

bool present(uint64_t e)
{
    return (e & EPT_RWX) != 0;
}
} // namespace

Result<void, Error> Ept::init(Page_provider &pages)
{
    pages_ = &pages;
    root_ = HV_TRY(pages.alloc_pages(1));
    generation_ = 0;
    return ok;
}

uint64_t Ept::eptp() const
{
    return hv::vmx::make_eptp(root_);
}

uint64_t *Ept::entry(uint64_t gpa, bool create)
{
    uint64_t table = root_;
    for (unsigned level = 3; level > 0; --level) {
        uint64_t &e = x86::phys_to_virt<uint64_t>(table)[index(gpa, level)];
        if (!present(e)) {
            if (!create)
                return nullptr;
            auto const page = pages_->alloc_pages(1);
            if (!page)
                return nullptr;
            e = *page | EPT_RWX; // permissions are decided at the leaf
        }
        table = e & ADDR_MASK;
    }
    return &x86::phys_to_virt<uint64_t>(table)[index(gpa, 0)];
}

Result<void, Error> Ept::map(uint64_t gpa, uint64_t hpa, uint64_t bytes, uint8_t perm)
{
    // Write without read is an EPT misconfiguration, so READ is required like on NPT.
    if ((gpa | hpa | bytes) & (PAGE - 1) || bytes == 0 || gpa >= GPA_LIMIT ||
        bytes > GPA_LIMIT - gpa || (perm & READ) == 0 || (perm & ~RWX) != 0 ||
        (hpa & ~ADDR_MASK) != 0)
        return unexpected(Error::BAD_ARGUMENT);
    uint64_t const bits = EPT_R | ((perm & WRITE) ? EPT_W : 0) | ((perm & EXEC) ? EPT_X : 0);
    for (uint64_t off = 0; off < bytes; off += PAGE) {
        uint64_t *const e = entry(gpa + off, true);
        if (e == nullptr || present(*e)) {
            bool const mapped = e != nullptr;
            unmap(gpa, off);
            return unexpected(mapped ? Error::ALREADY_MAPPED : Error::OUT_OF_MEMORY);
        }
        *e = (hpa + off) | bits | EPT_MEMTYPE_WB;
    }
    return ok;
}

void Ept::unmap(uint64_t gpa, uint64_t bytes)
{
    for (uint64_t off = 0; off < bytes && gpa + off < GPA_LIMIT; off += PAGE)
        if (uint64_t *const e = entry(gpa + off, false))
            *e = 0;
    ++generation_;
}

std::optional<uint64_t> Ept::translate(uint64_t gpa) const
{
    if (gpa >= GPA_LIMIT)
        return std::nullopt;
    uint64_t const *const e = const_cast<Ept *>(this)->entry(gpa, false);
    if (e == nullptr || !present(*e))
        return std::nullopt;
    return (*e & ADDR_MASK) | (gpa & (PAGE - 1));
}

void Ept::free_level(uint64_t table_pa, unsigned level)
{
    if (level > 0) {
        uint64_t const *const t = x86::phys_to_virt<uint64_t>(table_pa);
        for (unsigned i = 0; i < 512; ++i)
            if (present(t[i]))
                free_level(t[i] & ADDR_MASK, level - 1);
    }
    pages_->free_pages(table_pa, 1);
}

void Ept::release()
{
    if (root_ != 0)
        free_level(root_, 3);
    root_ = 0;
}

} // namespace hv::arch::vmx
