// SPDX-License-Identifier: MIT
// AMD nested page table of one domain: a Stage2 with its ASID. Entries are ordinary x86-64
// 4-level entries; every level carries P|RW|US, because nested walks are user accesses
// (testbeds.md 3.6: without US the first fetch takes an NPF).
#pragma once

#include <cstdint>

#include "arch/vcpu_backend.hpp"

namespace hv::arch::svm
{

class Npt final : public Stage2
{
  public:
    Result<void, Error> init(Page_provider &pages, uint32_t asid);
    void release();

    Result<void, Error> map(uint64_t gpa, uint64_t hpa, uint64_t bytes, uint8_t perm) override;
    void unmap(uint64_t gpa, uint64_t bytes) override;
    std::optional<uint64_t> translate(uint64_t gpa) const override;

    uint64_t root() const { return root_; }
    uint32_t asid() const { return asid_; }
    // Bumped whenever a translation is removed: vCPUs that ran with an older generation flush.
    uint64_t generation() const { return generation_; }
    bool in_use() const { return root_ != 0; }

  private:
    uint64_t *entry(uint64_t gpa, bool create);
    void free_level(uint64_t table_pa, unsigned level);

    Page_provider *pages_ = nullptr;
    uint64_t root_ = 0;
    uint32_t asid_ = 0;
    uint64_t generation_ = 0;
};

} // namespace hv::arch::svm
