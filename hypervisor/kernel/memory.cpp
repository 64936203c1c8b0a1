// SPDX-License-Identifier: MIT
// Frame allocator setup and the backend's Page_provider.
#include "kernel/memory.hpp"

#include <new>

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "kernel/charged_pages.hpp"
#include "platform/log.hpp"

extern "C" char __image_start[], __image_end[];

namespace hv::kernel
{
namespace
{

constexpr uint64_t MANAGED_END = x86::IDENTITY_MAP_END;
uint64_t storage[Frame_allocator::storage_words(MANAGED_END)];
Frame_allocator *allocator = nullptr;
alignas(Frame_allocator) unsigned char allocator_space[sizeof(Frame_allocator)];

unsigned order_for(size_t count)
{
    unsigned order = 0;
    while ((size_t{1} << order) < count)
        ++order;
    return order;
}

class Frame_page_provider final : public arch::Page_provider
{
  public:
    Result<uint64_t, arch::Error> alloc_pages(size_t count) override
    {
        auto const pa = alloc_zeroed(order_for(count));
        if (!pa)
            return unexpected(arch::Error::OUT_OF_MEMORY);
        return *pa;
    }
    void free_pages(uint64_t pa, size_t count) override
    {
        if (auto const r = frames().free(pa, order_for(count)); !r)
            log("ward: BUG: freeing backend pages at 0x%llx: %s\n",
                static_cast<unsigned long long>(pa), Frame_allocator::error_name(r.error()));
    }
};

Frame_page_provider provider;
Charging_provider charging{provider}; // what the backend allocates through

} // namespace

Result<void, Frame_allocator::Error> memory_init(mb2::Info const &info, uint64_t info_pa)
{
    uint64_t end = 0;
    for (size_t i = 0; i < info.memory_region_count(); ++i) {
        mb2::Memory_region const r = info.memory_region(i);
        if (r.type == mb2::MEMORY_AVAILABLE && r.base + r.length > end)
            end = r.base + r.length;
    }
    if (end > MANAGED_END)
        end = MANAGED_END;
    auto created = Frame_allocator::create(std::span<uint64_t>{storage}, end);
    if (!created)
        return unexpected(created.error());
    allocator = new (allocator_space) Frame_allocator(*created);
    // Reserve before adding RAM: the allocator keeps reserved ranges out for good.
    HV_TRY(allocator->reserve(0, 1ull << 20));
    HV_TRY(allocator->reserve(reinterpret_cast<uint64_t>(__image_start),
                              reinterpret_cast<uint64_t>(__image_end) -
                                  reinterpret_cast<uint64_t>(__image_start)));
    HV_TRY(allocator->reserve(info_pa, info.total_size()));
    for (size_t i = 0; i < info.module_count(); ++i) {
        mb2::Module const m = info.module(i);
        if (m.end > m.start)
            HV_TRY(allocator->reserve(m.start, m.end - m.start));
    }
    for (size_t i = 0; i < info.memory_region_count(); ++i) {
        mb2::Memory_region const r = info.memory_region(i);
        if (r.type == mb2::MEMORY_AVAILABLE)
            allocator->add_available(r.base, r.length);
    }
    return ok;
}

Frame_allocator &frames()
{
    return *allocator;
}

Result<uint64_t, Frame_allocator::Error> alloc_zeroed(unsigned order)
{
    uint64_t const pa = HV_TRY(allocator->alloc(order));
    x86::zero_qwords(x86::phys_to_virt(pa), (FRAME_SIZE << order) / 8);
    return pa;
}

Result<uint64_t, Frame_allocator::Error> alloc_scratch(unsigned order)
{
    return alloc_zeroed(order);
}

void free_scratch(uint64_t pa, unsigned order)
{
    if (auto const r = allocator->free(pa, order); !r)
        log("ward: BUG: freeing a scratch buffer at 0x%llx: %s\n",
            static_cast<unsigned long long>(pa), Frame_allocator::error_name(r.error()));
}

arch::Page_provider &page_provider()
{
    return charging;
}

Charging_provider &charging_provider()
{
    return charging;
}

} // namespace hv::kernel
