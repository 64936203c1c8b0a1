// SPDX-License-Identifier: MIT
// AMD nested page table of one domain: a Stage2 with its ASID, built with hv core's page-table
// builder in the NPT format (P|RW|US on every level: nested walks are user accesses, testbeds.md
// 3.6), 2 MiB pages where the ranges allow.
#pragma once

#include <cstdint>
#include <optional>

#include "arch/vcpu_backend.hpp"
#include "arch/x86_64/paging.hpp"
#include "hv/page_table.hpp"

namespace hv::arch::svm
{

// Table memory through the hypervisor's identity map.
struct Phys_table_memory
{
    uint64_t read(uint64_t table_pa, unsigned index) const
    {
        return x86::phys_to_virt<uint64_t const>(table_pa)[index];
    }
    void write(uint64_t table_pa, unsigned index, uint64_t value)
    {
        __atomic_store_n(&x86::phys_to_virt<uint64_t>(table_pa)[index], value, __ATOMIC_RELEASE);
    }
};

// Table pages from the backend's Page_provider.
struct Provider_table_alloc
{
    Page_provider *pages = nullptr;
    std::optional<uint64_t> alloc_table()
    {
        auto const pa = pages->alloc_pages(1);
        return pa ? std::optional<uint64_t>{*pa} : std::nullopt;
    }
    void free_table(uint64_t pa) { pages->free_pages(pa, 1); }
};

class Npt final : public Stage2
{
  public:
    Result<void, Error> init(Page_provider &pages, uint32_t asid);
    void release();

    Result<void, Error> map(uint64_t gpa, uint64_t hpa, uint64_t bytes, uint8_t perm) override;
    void unmap(uint64_t gpa, uint64_t bytes) override;
    std::optional<uint64_t> translate(uint64_t gpa) const override;

    uint64_t root() const { return table_ ? table_->root() : 0; }
    uint32_t asid() const { return asid_; }
    // Bumped whenever a translation is removed: vCPUs that ran with an older generation flush.
    uint64_t generation() const { return generation_; }
    bool in_use() const { return table_.has_value(); }

  private:
    using Table = pt::Page_table<pt::Npt_format, Phys_table_memory, Provider_table_alloc>;

    Phys_table_memory memory_;
    Provider_table_alloc alloc_;
    std::optional<Table> table_;
    uint32_t asid_ = 0;
    uint64_t generation_ = 0;
};

} // namespace hv::arch::svm
