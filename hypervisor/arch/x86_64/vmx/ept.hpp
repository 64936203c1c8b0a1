// SPDX-License-Identifier: MIT
// Intel extended page table of one domain: a Stage2 with its EPT pointer. 4-level, write-back,
// 4 KiB leaves. Removing translations bumps a generation; every vCPU of the space runs INVEPT
// (single-context where offered) on its CPU before it enters the guest again.
#pragma once

#include <cstdint>

#include "arch/vcpu_backend.hpp"

namespace hv::arch::vmx
{

class Ept final : public Stage2
{
  public:
    Result<void, Error> init(Page_provider &pages);
    void release();

    Result<void, Error> map(uint64_t gpa, uint64_t hpa, uint64_t bytes, uint8_t perm) override;
    void unmap(uint64_t gpa, uint64_t bytes) override;
    std::optional<uint64_t> translate(uint64_t gpa) const override;

    uint64_t eptp() const;
    uint64_t generation() const { return generation_; }
    bool in_use() const { return root_ != 0; }

  private:
    uint64_t *entry(uint64_t gpa, bool create);
    void free_level(uint64_t table_pa, unsigned level);

    Page_provider *pages_ = nullptr;
    uint64_t root_ = 0;
    uint64_t generation_ = 0;
};

} // namespace hv::arch::vmx
