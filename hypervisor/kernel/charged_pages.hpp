// SPDX-License-Identifier: MIT
// Charging the hypervisor's own per-domain allocations (nested page-table pages, VMCB/VMCS, MSR
// and I/O bitmaps) to the domain's memory account. The backend allocates through a
// Page_provider; Charging_provider wraps the real one and, while a Charge_scope is open for a
// domain, charges every page to that domain's account first (refusing with OUT_OF_MEMORY over
// its limit, never panicking) and uncharges what is freed inside the scope. Teardown uncharges
// the whole account (end_domain), so pages freed by destroy_stage2/destroy_vcpu need no scope.
#pragma once

#include <cstddef>

#include "arch/vcpu_backend.hpp"
#include "hv/memory_account.hpp"

namespace hv::kernel
{

// Frames taken by 2^order-rounded allocations of `count` pages (what the frame allocator takes).
size_t charged_frames(size_t count);

class Charging_provider final : public arch::Page_provider
{
  public:
    explicit Charging_provider(arch::Page_provider &inner) : inner_{inner} {}
    Result<uint64_t, arch::Error> alloc_pages(size_t count) override;
    void free_pages(uint64_t pa, size_t count) override;

    Memory_account *account = nullptr; // set by Charge_scope

  private:
    arch::Page_provider &inner_;
};

// The provider the backend was given (memory.cpp; the hosted tests supply their own).
Charging_provider &charging_provider();

// Charges backend allocations to `account` for its lifetime (scopes do not nest).
class Charge_scope
{
  public:
    explicit Charge_scope(Memory_account &account) : previous_{charging_provider().account}
    {
        charging_provider().account = &account;
    }
    ~Charge_scope() { charging_provider().account = previous_; }
    Charge_scope(Charge_scope const &) = delete;
    Charge_scope &operator=(Charge_scope const &) = delete;

  private:
    Memory_account *previous_;
};

} // namespace hv::kernel
