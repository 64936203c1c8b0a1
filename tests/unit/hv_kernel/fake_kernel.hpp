// SPDX-License-Identifier: MIT
// Host-side stand-ins for what the kernel's hypercall and exit code reaches outside itself: the
// backend (hypercall page only), the scheduler transitions, the log, and a fake vCPU. Guest
// memory is real host memory: phys_to_virt is the identity, so a domain's "chunks" are host
// buffers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/vcpu_backend.hpp"
#include "kernel/domain.hpp"

namespace hv::test
{

// Everything log() printed since the last clear.
std::string &log_text();

struct Sched_calls
{
    int blocks = 0;
    int wakes = 0;
    int removes = 0;
};
Sched_calls &sched_calls();

// Scratch buffers (alloc_scratch) not yet freed.
int &scratch_outstanding();

class Fake_vcpu final : public arch::Vcpu
{
  public:
    arch::Exit run(unsigned) override { return {}; }
    uint64_t reg(arch::Reg r) const override { return regs[static_cast<size_t>(r)]; }
    void reg(arch::Reg r, uint64_t v) override { regs[static_cast<size_t>(r)] = v; }
    arch::Guest_mode mode() const override { return guest_mode; }
    unsigned cpl() const override { return current_cpl; }
    void skip_instruction() override { ++skips; }
    void inject(arch::Event const &e) override { injected = e; }
    std::optional<uint64_t> guest_msr(uint32_t index) const override
    {
        auto const it = msrs.find(index);
        return it == msrs.end() ? std::nullopt : std::optional<uint64_t>{it->second};
    }
    bool guest_msr(uint32_t index, uint64_t value) override
    {
        if (index != 0xc0000100u) // FS_BASE stands for the VMCB-held MSRs
            return false;
        msrs[index] = value;
        return true;
    }

    uint64_t regs[32]{};
    arch::Guest_mode guest_mode = arch::Guest_mode::PROT32;
    unsigned current_cpl = 0;
    int skips = 0;
    std::optional<arch::Event> injected;
    std::map<uint32_t, uint64_t> msrs;
};

// A domain in the kernel's table whose RAM is `mem` bytes of host memory (2 MiB chunks).
class Test_domain
{
  public:
    explicit Test_domain(uint64_t mem, Cap_set caps = {}, char const *name = "test");
    ~Test_domain();
    kernel::Domain &d() { return *domain_; }
    uint8_t *ram(uint64_t gpa); // host pointer to guest-physical gpa

  private:
    kernel::Domain *domain_;
    std::vector<void *> chunks_;
};

} // namespace hv::test
