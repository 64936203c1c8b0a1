// SPDX-License-Identifier: MIT
// Fakes for the hosted kernel tests (see fake_kernel.hpp).
#include "fake_kernel.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arch/x86_64/hypercall_page.hpp"
#include "hv/format.hpp"
#include "kernel/charged_pages.hpp"
#include "kernel/kernel.hpp"
#include "kernel/memory.hpp"
#include "kernel/scheduler.hpp"
#include "platform/log.hpp"

namespace hv
{

void log(char const *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    test::log_text() += buf;
}

void platform_exit(uint8_t code)
{
    std::fprintf(stderr, "platform_exit(%u) in a unit test\n", code);
    std::abort();
}

namespace test
{
std::string &log_text()
{
    static std::string text;
    return text;
}
int &scratch_outstanding()
{
    static int n = 0;
    return n;
}
Sched_calls &sched_calls()
{
    static Sched_calls calls;
    return calls;
}
} // namespace test

namespace kernel
{
namespace
{

class Fake_backend final : public arch::Backend
{
  public:
    char const *name() const override { return "fake"; }
    Result<void, arch::Error> enable_cpu(unsigned) override { return ok; }
    Result<arch::Stage2 *, arch::Error> create_stage2(uint16_t) override
    {
        return unexpected(arch::Error::OUT_OF_MEMORY);
    }
    void destroy_stage2(arch::Stage2 *) override {}
    Result<arch::Vcpu *, arch::Error> create_vcpu(arch::Vcpu_config const &) override
    {
        return unexpected(arch::Error::OUT_OF_MEMORY);
    }
    void destroy_vcpu(arch::Vcpu *) override {}
    void write_hypercall_page(std::span<std::byte, 4096> page) const override
    {
        x86::fill_hypercall_page(page, {std::byte{0x0f}, std::byte{0x01}, std::byte{0xd9}});
    }
};

Fake_backend fake_backend;
Hv_options fake_options;

} // namespace

arch::Backend &backend()
{
    return fake_backend;
}
Hv_options const &options()
{
    return fake_options;
}
uint64_t tsc_per_us()
{
    return 1000;
}

Frame_allocator &frames()
{
    static uint64_t storage[Frame_allocator::storage_words(1ull << 24)];
    static Frame_allocator allocator = *Frame_allocator::create(storage, 1ull << 24);
    return allocator;
}

Result<uint64_t, Frame_allocator::Error> alloc_zeroed(unsigned)
{
    return unexpected(Frame_allocator::Error::OUT_OF_MEMORY);
}

Result<uint64_t, Frame_allocator::Error> alloc_scratch(unsigned order)
{
    void *const p = std::aligned_alloc(FRAME_SIZE, FRAME_SIZE << order);
    if (p == nullptr)
        return unexpected(Frame_allocator::Error::OUT_OF_MEMORY);
    std::memset(p, 0, FRAME_SIZE << order);
    ++test::scratch_outstanding();
    return reinterpret_cast<uint64_t>(p);
}
void free_scratch(uint64_t pa, unsigned)
{
    std::free(reinterpret_cast<void *>(pa));
    --test::scratch_outstanding();
}

namespace
{
class Null_pages final : public arch::Page_provider
{
  public:
    Result<uint64_t, arch::Error> alloc_pages(size_t) override
    {
        return unexpected(arch::Error::OUT_OF_MEMORY);
    }
    void free_pages(uint64_t, size_t) override {}
};
Null_pages null_pages;
Charging_provider fake_charging{null_pages};
} // namespace

Charging_provider &charging_provider()
{
    return fake_charging;
}

void sched_add(Domain &d, unsigned)
{
    d.state = Domain_state::RUNNABLE;
}
void sched_block(Domain &d, Domain_state why)
{
    d.state = why;
    ++test::sched_calls().blocks;
}
void sched_wake(Domain &d)
{
    d.state = Domain_state::RUNNABLE;
    ++test::sched_calls().wakes;
}
void sched_remove(Domain &)
{
    ++test::sched_calls().removes;
}

} // namespace kernel

namespace test
{

Test_domain::Test_domain(uint64_t mem, Cap_set caps, char const *name)
{
    domain_ = kernel::alloc_domain();
    if (domain_ == nullptr)
        std::abort();
    kernel::Domain &d = *domain_;
    d.state = kernel::Domain_state::RUNNABLE;
    d.mem_bytes = mem;
    d.caps = caps;
    d.name.length = std::strlen(name);
    std::memcpy(d.name.chars.data(), name, d.name.length + 1);
    for (uint64_t off = 0; off < mem; off += kernel::CHUNK_BYTES) {
        void *const p = std::aligned_alloc(4096, kernel::CHUNK_BYTES);
        std::memset(p, 0, kernel::CHUNK_BYTES);
        chunks_.push_back(p);
        d.chunks[off / kernel::CHUNK_BYTES] = reinterpret_cast<uint64_t>(p);
    }
    d.chunk_count = 0; // end_domain must not hand host buffers to the frame allocator
    // A vCPU pointer the teardown path can "destroy" (the fake backend ignores it).
    static Fake_vcpu placeholder;
    d.vcpu = &placeholder;
}

Test_domain::~Test_domain()
{
    domain_->state = kernel::Domain_state::FREE;
    for (void *p : chunks_)
        std::free(p);
}

uint8_t *Test_domain::ram(uint64_t gpa)
{
    return static_cast<uint8_t *>(chunks_.at(gpa / kernel::CHUNK_BYTES)) +
           gpa % kernel::CHUNK_BYTES;
}

} // namespace test
} // namespace hv
