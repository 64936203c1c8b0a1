// SPDX-License-Identifier: MIT
// Nested page tables for the SVM backend (see npt.hpp).
#include "arch/x86_64/svm/npt.hpp"

#include "platform/log.hpp"

namespace hv::arch::svm
{
namespace
{

Error from(pt::Error e)
{
    switch (e) {
    case pt::Error::ALREADY_MAPPED: return Error::ALREADY_MAPPED;
    case pt::Error::OUT_OF_MEMORY: return Error::OUT_OF_MEMORY;
    default: return Error::BAD_ARGUMENT;
    }
}

} // namespace

Result<void, Error> Npt::init(Page_provider &pages, uint32_t asid)
{
    alloc_.pages = &pages;
    auto t = Table::create(memory_, alloc_);
    if (!t)
        return unexpected(from(t.error()));
    table_.emplace(*t);
    asid_ = asid;
    generation_ = 0;
    return ok;
}

Result<void, Error> Npt::map(uint64_t gpa, uint64_t hpa, uint64_t bytes, uint8_t perm)
{
    if ((perm & READ) == 0)
        return unexpected(Error::BAD_ARGUMENT);
    pt::Perms const p =
        static_cast<pt::Perms>(pt::R | ((perm & WRITE) ? pt::W : 0) | ((perm & EXEC) ? pt::X : 0));
    if (auto const r = table_->map_range(gpa, hpa, bytes, p); !r)
        return unexpected(from(r.error()));
    return ok;
}

void Npt::unmap(uint64_t gpa, uint64_t bytes)
{
    // A 2 MiB page that sticks out of the range stays (the builder refuses to split it); Ward
    // maps and unmaps domain memory in whole chunks, so this is a kernel bug if it happens.
    if (auto const r = table_->unmap_range(gpa, bytes); !r)
        log("svm: BUG: unmapping GPA 0x%llx+0x%llx: %s\n", static_cast<unsigned long long>(gpa),
            static_cast<unsigned long long>(bytes), pt::error_name(r.error()));
    ++generation_;
}

std::optional<uint64_t> Npt::translate(uint64_t gpa) const
{
    auto const m = table_->lookup(gpa);
    return m ? std::optional<uint64_t>{m->pa} : std::nullopt;
}

void Npt::release()
{
    if (table_)
        table_->destroy();
    table_.reset();
}

} // namespace hv::arch::svm
