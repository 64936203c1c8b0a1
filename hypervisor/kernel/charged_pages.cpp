// SPDX-License-Identifier: MIT
// Charging_provider (see charged_pages.hpp).
#include "kernel/charged_pages.hpp"

namespace hv::kernel
{

size_t charged_frames(size_t count)
{
    size_t n = 1;
    while (n < count)
        n <<= 1;
    return n;
}

Result<uint64_t, arch::Error> Charging_provider::alloc_pages(size_t count)
{
    size_t const n = charged_frames(count);
    if (account != nullptr && !account->charge(n))
        return unexpected(arch::Error::OUT_OF_MEMORY);
    auto const pa = inner_.alloc_pages(count);
    if (!pa && account != nullptr)
        (void)account->uncharge(n);
    return pa;
}

void Charging_provider::free_pages(uint64_t pa, size_t count)
{
    inner_.free_pages(pa, count);
    if (account != nullptr)
        (void)account->uncharge(charged_frames(count));
}

} // namespace hv::kernel
