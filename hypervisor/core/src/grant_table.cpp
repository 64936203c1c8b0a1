// SPDX-License-Identifier: MIT
// Grant table v1 bookkeeping; see grant_table.hpp.
#include "hv/grant_table.hpp"

namespace hv::gnttab
{
namespace
{

constexpr int CAS_RETRIES = 4; // the guest may keep changing its entry: give up, as Xen does

uint16_t flags_of(uint32_t w)
{
    return static_cast<uint16_t>(w & 0xffff);
}

Domid domid_of(uint32_t w)
{
    return static_cast<Domid>(w >> 16);
}

} // namespace

Grant_table::Grant_table(Domid self, std::span<Grant_entry_v1> entries, uint64_t memory_frames)
    : self_{self}, entries_{entries.size() > MAX_GRANTS ? entries.first(MAX_GRANTS) : entries},
      memory_frames_{memory_frames}
{}

std::atomic_ref<uint32_t> Grant_table::word(Grant_ref ref) const
{
    return std::atomic_ref<uint32_t>{entries_[ref].flags_domid};
}

Result<Grant_table::Pin, Status> Grant_table::pin(Grant_ref ref, Domid mapper, bool readonly)
{
    if (ref >= entries_.size())
        return unexpected(Status::BAD_GNTREF);
    if (mapper == self_)
        return unexpected(Status::PERMISSION_DENIED);
    Active &act = active_[ref];
    bool const pinned = act.readers + act.writers != 0;
    if (pinned && act.mapper != mapper)
        return unexpected(Status::GENERAL_ERROR);
    if (act.readers == UINT16_MAX || act.writers == UINT16_MAX)
        return unexpected(Status::NO_SPACE);
    auto w = word(ref);
    uint32_t old = w.load();
    for (int attempt = 0;; ++attempt) {
        if (attempt == CAS_RETRIES)
            return unexpected(Status::GENERAL_ERROR); // "shared grant entry is unstable"
        uint16_t const f = flags_of(old);
        if (!pinned && ((f & GTF_TYPE_MASK) != GTF_PERMIT_ACCESS || domid_of(old) != mapper))
            return unexpected(Status::GENERAL_ERROR);
        if (!readonly && (f & GTF_READONLY) != 0)
            return unexpected(Status::GENERAL_ERROR);
        uint32_t const want = old | GTF_READING | (readonly ? 0u : uint32_t{GTF_WRITING});
        if (w.compare_exchange_strong(old, want))
            break;
    }
    if (!pinned) {
        // Read the frame once, after the flags are set: from here the granter cannot end
        // the grant, and later changes to the frame field do not move the mapping.
        uint32_t const frame = std::atomic_ref<uint32_t>{entries_[ref].frame}.load();
        if (frame >= memory_frames_) {
            w.fetch_and(~uint32_t{GTF_READING | GTF_WRITING});
            return unexpected(Status::BAD_PAGE);
        }
        act.mapper = mapper;
        act.frame = frame;
    }
    ++(readonly ? act.readers : act.writers);
    return Pin{act.frame};
}

void Grant_table::unpin(Grant_ref ref, bool readonly)
{
    if (ref >= entries_.size())
        return;
    Active &act = active_[ref];
    uint16_t &count = readonly ? act.readers : act.writers;
    if (count == 0)
        return; // not pinned this way: a kernel bug, and harmless to ignore here
    --count;
    if (act.writers == 0)
        word(ref).fetch_and(~uint32_t{GTF_WRITING});
    if (act.readers + act.writers == 0) {
        word(ref).fetch_and(~uint32_t{GTF_READING});
        act = Active{};
    }
}

uint32_t Grant_table::pins(Grant_ref ref) const
{
    return ref < entries_.size() ? uint32_t{active_[ref].readers} + active_[ref].writers : 0;
}

uint16_t Grant_table::flags(Grant_ref ref) const
{
    return ref < entries_.size() ? flags_of(word(ref).load()) : 0;
}

bool Grant_table::try_end_access(Grant_ref ref)
{
    if (ref >= entries_.size())
        return false;
    auto w = word(ref);
    uint32_t old = w.load();
    do {
        if ((flags_of(old) & (GTF_READING | GTF_WRITING)) != 0)
            return false;
    } while (!w.compare_exchange_weak(old, 0));
    return true;
}

Result<Handle, Status> Maptrack::map(Grant_table &granter, Grant_ref ref, uint32_t map_flags,
                                     uint64_t host_addr)
{
    if ((map_flags & (GNTMAP_HOST_MAP | GNTMAP_DEVICE_MAP)) == 0)
        return unexpected(Status::BAD_GNTREF); // as Xen: "Bad flags in grant map op"
    if ((map_flags & GNTMAP_DEVICE_MAP) != 0)
        return unexpected(Status::BAD_DEV_ADDR); // no device mappings without an IOMMU
    if (host_addr % 4096 != 0)
        return unexpected(Status::BAD_VIRT_ADDR);
    Handle h = 0;
    while (h < MAX_MAPS && used_[h])
        ++h;
    if (h == MAX_MAPS)
        return unexpected(Status::NO_SPACE);
    bool const readonly = (map_flags & GNTMAP_READONLY) != 0;
    auto const pin = HV_TRY(granter.pin(ref, self_, readonly));
    maps_[h] = {granter.self(), ref, readonly, pin.frame, host_addr};
    used_[h] = true;
    ++count_;
    return h;
}

char const *status_name(Status s)
{
    switch (s) {
    case Status::OKAY: return "okay";
    case Status::GENERAL_ERROR: return "general error";
    case Status::BAD_DOMAIN: return "unrecognised domain id";
    case Status::BAD_GNTREF: return "unrecognised or inappropriate grant reference";
    case Status::BAD_HANDLE: return "unrecognised or inappropriate handle";
    case Status::BAD_VIRT_ADDR: return "inappropriate virtual address to map";
    case Status::BAD_DEV_ADDR: return "inappropriate device address to unmap";
    case Status::NO_DEVICE_SPACE: return "out of space in I/O MMU";
    case Status::PERMISSION_DENIED: return "not enough privilege for operation";
    case Status::BAD_PAGE: return "specified page was invalid for op";
    case Status::BAD_COPY_ARG: return "copy arguments cross page boundary";
    case Status::ADDRESS_TOO_BIG: return "transfer page address too large";
    case Status::TRY_AGAIN: return "operation not done; try again";
    case Status::NO_SPACE: return "out of space (handles)";
    }
    return "unknown grant status";
}

} // namespace hv::gnttab
