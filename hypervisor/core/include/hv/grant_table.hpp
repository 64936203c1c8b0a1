// SPDX-License-Identifier: MIT
// Xen grant tables v1 as pure logic: the granter's shared entries (guest-writable), the
// hypervisor's private pin counts per entry, and the mapper's handle table (maptrack). The
// hypercall wiring (GNTTABOP_* decoding, the ACM check before every map, entering the frame in
// the mapper's nested page table, setup_table/query_size) is in the kernel.
//
// Semantics follow Xen (xen/common/grant_table.c, _set_status_v1 and map/unmap_grant_ref): the
// first pin checks that the entry is GTF_permit_access for the mapping domain (else
// GNTST_general_error) and that a writable map is not of a GTF_readonly grant; pins set
// GTF_reading (and GTF_writing), which stay set until the last unmap, so a granter cannot end
// a grant that is mapped: the entry stays busy until unmapped. Ward additionally refuses to map
// one's own grants (GNTST_permission_denied) and frames outside the granter's memory
// (GNTST_bad_page).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"

namespace hv::gnttab
{

using Grant_ref = uint32_t;
using Domid = uint16_t;
using Handle = uint32_t;

// grant_entry_v1.flags (public/grant_table.h)
inline constexpr uint16_t GTF_INVALID = 0;
inline constexpr uint16_t GTF_PERMIT_ACCESS = 1;
inline constexpr uint16_t GTF_ACCEPT_TRANSFER = 2;
inline constexpr uint16_t GTF_TYPE_MASK = 3;
inline constexpr uint16_t GTF_READONLY = 1 << 2;
inline constexpr uint16_t GTF_READING = 1 << 3;
inline constexpr uint16_t GTF_WRITING = 1 << 4;

// gnttab_map_grant_ref.flags
inline constexpr uint32_t GNTMAP_DEVICE_MAP = 1 << 0;
inline constexpr uint32_t GNTMAP_HOST_MAP = 1 << 1;
inline constexpr uint32_t GNTMAP_READONLY = 1 << 2;

// GNTST_* status codes, returned in the op's status field.
enum class Status : int16_t
{
    OKAY = 0,
    GENERAL_ERROR = -1,
    BAD_DOMAIN = -2,
    BAD_GNTREF = -3,
    BAD_HANDLE = -4,
    BAD_VIRT_ADDR = -5,
    BAD_DEV_ADDR = -6,
    NO_DEVICE_SPACE = -7,
    PERMISSION_DENIED = -8,
    BAD_PAGE = -9,
    BAD_COPY_ARG = -10,
    ADDRESS_TOO_BIG = -11,
    TRY_AGAIN = -12, // GNTST_eagain
    NO_SPACE = -13,
};

char const *status_name(Status s);

// struct grant_entry_v1 { uint16_t flags; domid_t domid; uint32_t frame; } as two words, so
// that flags and domid change together with one 32-bit compare-and-swap, as Xen does.
struct Grant_entry_v1
{
    uint32_t flags_domid; // flags in bits 15:0, domid in bits 31:16
    uint32_t frame;       // the granter's guest frame number
};
static_assert(sizeof(Grant_entry_v1) == 8);

constexpr Grant_entry_v1 make_entry(uint16_t flags, Domid domid, uint32_t frame)
{
    return {static_cast<uint32_t>(flags) | static_cast<uint32_t>(domid) << 16, frame};
}

inline constexpr size_t MAX_GRANTS = 4096; // 8 frames of v1 entries
inline constexpr size_t MAX_MAPS = 1024;   // handles per mapping domain (a 1 MiB vchan ring: 257)

// The granter's side: its shared entries and the hypervisor's pin counts for them.
class Grant_table
{
  public:
    // `entries` is the granter's shared grant table (at most MAX_GRANTS are used);
    // `memory_frames` bounds the frame numbers it may grant.
    Grant_table(Domid self, std::span<Grant_entry_v1> entries, uint64_t memory_frames);

    Domid self() const { return self_; }
    uint32_t nr_entries() const { return static_cast<uint32_t>(entries_.size()); }

    struct Pin
    {
        uint32_t frame;
    };
    // Pins `ref` for `mapper`; the frame stays fixed while any pin is held.
    Result<Pin, Status> pin(Grant_ref ref, Domid mapper, bool readonly);
    // Drops one pin taken by pin(); clears GTF_writing / GTF_reading with the last ones.
    void unpin(Grant_ref ref, bool readonly);

    uint32_t pins(Grant_ref ref) const;
    uint16_t flags(Grant_ref ref) const;

    // What a granter's gnttab_end_foreign_access_ref does: set the entry invalid unless the
    // hypervisor marks it reading or writing. False while mapped (the entry stays busy).
    bool try_end_access(Grant_ref ref);

  private:
    struct Active
    {
        Domid mapper = 0;
        uint32_t frame = 0;
        uint16_t readers = 0; // read-only pins
        uint16_t writers = 0; // writable pins
    };
    std::atomic_ref<uint32_t> word(Grant_ref ref) const;

    Domid self_;
    std::span<Grant_entry_v1> entries_;
    uint64_t memory_frames_;
    std::array<Active, MAX_GRANTS> active_{};
};

// The mapper's side: one handle per mapping (maptrack).
struct Mapping
{
    Domid granter;
    Grant_ref ref;
    bool readonly;
    uint32_t frame;     // the granter's frame, for the kernel's nested page table
    uint64_t host_addr; // where the mapper asked for it (guest-physical)
};

class Maptrack
{
  public:
    explicit Maptrack(Domid self) : self_{self} {}

    Domid self() const { return self_; }

    // GNTTABOP_map_grant_ref against `granter` (resolved by the caller: GNTST_bad_domain if
    // there is none). Returns the new handle.
    Result<Handle, Status> map(Grant_table &granter, Grant_ref ref, uint32_t map_flags,
                               uint64_t host_addr);

    // GNTTABOP_unmap_grant_ref. RESOLVE: Grant_table *(Domid), nullptr once the granter is
    // gone. Returns the mapping that ended, so the kernel can remove it from its page table.
    template <typename RESOLVE> Result<Mapping, Status> unmap(Handle h, RESOLVE &&resolve)
    {
        if (h >= MAX_MAPS || !used_[h])
            return unexpected(Status::BAD_HANDLE);
        Mapping const m = maps_[h];
        if (Grant_table *g = resolve(m.granter); g != nullptr)
            g->unpin(m.ref, m.readonly);
        used_[h] = false;
        --count_;
        return m;
    }

    // Domain teardown: ends every mapping, calling `ended(Mapping const &)` for each.
    template <typename RESOLVE, typename ENDED> void release_all(RESOLVE &&resolve, ENDED &&ended)
    {
        for (Handle h = 0; h < MAX_MAPS; ++h)
            if (used_[h])
                if (auto const m = unmap(h, resolve); m)
                    ended(*m);
    }

    size_t count() const { return count_; }

    template <typename F> void for_each(F &&f) const
    {
        for (Handle h = 0; h < MAX_MAPS; ++h)
            if (used_[h])
                f(h, maps_[h]);
    }

  private:
    Domid self_;
    std::array<Mapping, MAX_MAPS> maps_{};
    std::array<bool, MAX_MAPS> used_{};
    size_t count_ = 0;
};

} // namespace hv::gnttab
