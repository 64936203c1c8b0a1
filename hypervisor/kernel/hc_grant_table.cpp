// SPDX-License-Identifier: MIT
// grant_table_op (20), v1: GNTTABOP_map_grant_ref, unmap_grant_ref, setup_table, query_size and
// copy (docs/channels.md). A map enters the granter's frame into the mapper's nested page table
// at host_addr, which must lie in a foreign window (above the mapper's RAM and below
// FOREIGN_WINDOW_END, or FOREIGN_HIGH_START..FOREIGN_HIGH_END) and be free. Every map and copy of
// another domain's grant asks the ACM first; a denial is GNTST_permission_denied in the op's
// status.
#include "arch/x86_64/paging.hpp"
#include "hv/bytes.hpp"
#include "hv/channel_ops.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/channels.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "kernel/store_setup.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

using chanop::Gnttab_cmd;
using gnttab::Status;
using xen::Errno;

constexpr uint32_t MAX_BATCH = 256; // ops per hypercall (Ward hands out no continuations)
constexpr uint16_t DOMID_SELF = 0x7ff0;

uint16_t resolve_self(Domain const &self, uint16_t dom)
{
    return dom == DOMID_SELF ? self.id : dom;
}

bool window_free(Domain const &self, uint64_t gpa)
{
    Domain_channels const &c = channels(self);
    if (gpa % PAGE_SIZE != 0 || !in_foreign_window(self.mem_bytes, gpa, PAGE_SIZE))
        return false;
    for (uint64_t const g : c.gnttab_gpa)
        if (gpa == g)
            return false;
    for (auto const &s : c.shadow)
        if (s.used && s.gpa == gpa)
            return false;
    return !self.space->translate(gpa).has_value();
}

// Resolver for unmaps: a revoked mapping's granter is gone (its id may already name a new
// domain), so nothing is unpinned.
struct Unmap_resolver
{
    Map_shadow const &shadow;
    gnttab::Grant_table *operator()(uint16_t granter) const
    {
        return shadow.revoked ? nullptr : grants_of(granter);
    }
};

Result<gnttab::Handle, Status> map_one(Domain &self, chanop::Map_grant_ref const &op)
{
    Domain_channels &c = channels(self);
    uint16_t const gid = resolve_self(self, op.dom);
    Domain *granter = find_domain(gid);
    if (granter == nullptr || !granter->alive() || !channels(*granter).active)
        return unexpected(Status::BAD_DOMAIN);
    if (granter == &self)
        return unexpected(Status::PERMISSION_DENIED); // mapping one's own grant
    if (!store_may_map(self, *granter, op.ref) && !acm_share(self, *granter, "grant map"))
        return unexpected(Status::PERMISSION_DENIED);
    if ((op.flags & gnttab::GNTMAP_HOST_MAP) != 0 && !window_free(self, op.host_addr))
        return unexpected(Status::BAD_VIRT_ADDR);
    gnttab::Grant_table &gt = *channels(*granter).grants;
    gnttab::Handle const h = HV_TRY(c.maptrack->map(gt, op.ref, op.flags, op.host_addr));
    // The frame pinned by the map (the entry stays fixed while GTF_reading/writing are set; the
    // granter's memory bound is checked again all the same).
    auto const entries = std::span<gnttab::Grant_entry_v1 const>{
        x86::phys_to_virt<gnttab::Grant_entry_v1 const>(channels(*granter).gnttab_pa),
        GNTTAB_ENTRIES};
    uint32_t const frame = __atomic_load_n(&entries[op.ref].frame, __ATOMIC_ACQUIRE);
    bool const readonly = (op.flags & gnttab::GNTMAP_READONLY) != 0;
    uint64_t hpa = 0;
    bool ok = granter->gpa_to_hpa(uint64_t{frame} * PAGE_SIZE, hpa);
    if (ok) {
        uint8_t const perm =
            readonly ? arch::Stage2::READ : (arch::Stage2::READ | arch::Stage2::WRITE);
        ok = static_cast<bool>(self.space->map(op.host_addr, hpa, PAGE_SIZE, perm));
    }
    if (!ok) {
        Map_shadow const none{};
        (void)c.maptrack->unmap(h, Unmap_resolver{none});
        return unexpected(Status::BAD_PAGE);
    }
    c.shadow[h] = {true, false, gid, op.host_addr};
    return h;
}

Status unmap_one(Domain &self, chanop::Unmap_grant_ref const &op)
{
    Domain_channels &c = channels(self);
    if (op.handle >= gnttab::MAX_MAPS || !c.shadow[op.handle].used)
        return Status::BAD_HANDLE;
    Map_shadow &s = c.shadow[op.handle];
    if (op.host_addr != s.gpa)
        return Status::GENERAL_ERROR; // Xen: the address must match the mapping
    if (auto const r = c.maptrack->unmap(op.handle, Unmap_resolver{s}); !r)
        return r.error();
    self.space->unmap(s.gpa, PAGE_SIZE);
    channels_drop_private_page(self, s);
    s = {};
    return Status::OKAY;
}

Hypercall_result map_grant_refs(Domain &self, arch::Vcpu &v, uint64_t uop, uint32_t count)
{
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t const at = uop + uint64_t{i} * chanop::MAP_GRANT_REF_SIZE;
        std::byte buf[chanop::MAP_GRANT_REF_SIZE];
        if (!read_guest(self, v, at, buf, sizeof buf))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        auto const op = chanop::decode_map_grant_ref(buf);
        if (!op)
            return Hypercall_result::error(op.error());
        auto const h = map_one(self, *op);
        if (!h)
            log("ward: domain %u '%s': grant map of domain %u ref %u at 0x%llx refused: %s\n",
                self.id, self.name.c_str(), op->dom, op->ref,
                static_cast<unsigned long long>(op->host_addr), gnttab::status_name(h.error()));
        chanop::encode_map_grant_ref(buf, h ? Status::OKAY : h.error(), h ? *h : 0);
        if (!write_guest(self, v, at, buf, sizeof buf)) {
            if (h)
                (void)unmap_one(self, {op->host_addr, *h});
            return Hypercall_result::error(Errno::XEN_EFAULT);
        }
    }
    return {0};
}

Hypercall_result unmap_grant_refs(Domain &self, arch::Vcpu &v, uint64_t uop, uint32_t count)
{
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t const at = uop + uint64_t{i} * chanop::UNMAP_GRANT_REF_SIZE;
        std::byte buf[chanop::UNMAP_GRANT_REF_SIZE];
        if (!read_guest(self, v, at, buf, sizeof buf))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        auto const op = chanop::decode_unmap_grant_ref(buf);
        if (!op)
            return Hypercall_result::error(op.error());
        chanop::encode_unmap_grant_ref(buf, unmap_one(self, *op));
        if (!write_guest(self, v, at, buf, sizeof buf))
            return Hypercall_result::error(Errno::XEN_EFAULT);
    }
    return {0};
}

// struct gnttab_setup_table { domid_t dom; uint32_t nr_frames; int16_t status;
// XEN_GUEST_HANDLE(xen_pfn_t) frame_list; }: 24 bytes (64-bit), 16 (32-bit).
Hypercall_result setup_table(Domain &self, arch::Vcpu &v, uint64_t uop, bool lm)
{
    size_t const size = lm ? 24 : 16;
    std::byte buf[24] = {};
    if (!read_guest(self, v, uop, buf, size))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    std::span<std::byte> const b{buf, size};
    uint16_t const dom = resolve_self(self, load_le<uint16_t>(b, 0));
    uint32_t const nr = load_le<uint32_t>(b, 4);
    uint64_t const list = lm ? load_le<uint64_t>(b, 16) : load_le<uint32_t>(b, 12);
    Domain_channels const &c = channels(self);
    Status st = Status::OKAY;
    if (dom != self.id)
        st = Status::PERMISSION_DENIED;
    else if (nr > GNTTAB_FRAMES)
        st = Status::GENERAL_ERROR;
    else {
        for (uint32_t i = 0; i < nr && st == Status::OKAY; ++i)
            if (c.gnttab_gpa[i] == ~uint64_t{0})
                st = Status::GENERAL_ERROR; // place it first with XENMAPSPACE_grant_table
        for (uint32_t i = 0; i < nr && st == Status::OKAY; ++i) {
            uint64_t const gfn = c.gnttab_gpa[i] / PAGE_SIZE;
            if (!write_guest(self, v, list + i * (lm ? 8 : 4), &gfn, lm ? 8 : 4))
                return Hypercall_result::error(Errno::XEN_EFAULT);
        }
    }
    write_le<uint16_t>(b, 8, static_cast<uint16_t>(st));
    if (!write_guest(self, v, uop, buf, size))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    return {0};
}

Hypercall_result query_size(Domain &self, arch::Vcpu &v, uint64_t uop)
{
    std::byte buf[chanop::QUERY_SIZE_SIZE];
    if (!read_guest(self, v, uop, buf, sizeof buf))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    auto const dom = chanop::decode_query_size(buf);
    if (!dom)
        return Hypercall_result::error(dom.error());
    bool const mine = resolve_self(self, *dom) == self.id;
    chanop::encode_query_size(buf, mine ? GNTTAB_FRAMES : 0, mine ? GNTTAB_FRAMES : 0,
                              mine ? Status::OKAY : Status::PERMISSION_DENIED);
    if (!write_guest(self, v, uop, buf, sizeof buf))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    return {0};
}

// One side of a gnttab_copy: a grant of another domain (pinned for the copy) or a frame of the
// caller's own memory.
struct Copy_side
{
    uint64_t hpa = 0;
    gnttab::Grant_table *pinned = nullptr;
    uint32_t ref = 0;
    bool readonly = true;
};

Status copy_side(Domain &self, bool by_ref, uint64_t u, uint16_t domid, bool source, Copy_side &out)
{
    uint16_t const dom = resolve_self(self, domid);
    if (!by_ref) {
        if (dom != self.id) // a raw frame of another domain: never
            return Status::PERMISSION_DENIED;
        return self.gpa_to_hpa(u * PAGE_SIZE, out.hpa) ? Status::OKAY : Status::BAD_PAGE;
    }
    Domain *g = find_domain(dom);
    if (g == nullptr || !g->alive() || !channels(*g).active)
        return Status::BAD_DOMAIN;
    if (g == &self)
        return Status::PERMISSION_DENIED;
    if (!acm_share(self, *g, "grant copy"))
        return Status::PERMISSION_DENIED;
    if (u > UINT32_MAX)
        return Status::BAD_GNTREF;
    auto const pin = channels(*g).grants->pin(static_cast<uint32_t>(u), self.id, source);
    if (!pin)
        return pin.error();
    out.pinned = &*channels(*g).grants;
    out.ref = static_cast<uint32_t>(u);
    out.readonly = source;
    if (!g->gpa_to_hpa(uint64_t{pin->frame} * PAGE_SIZE, out.hpa))
        return Status::BAD_PAGE;
    return Status::OKAY;
}

// struct gnttab_copy: source {u, domid, offset}, dest {..}, len, flags, status.
Hypercall_result copy(Domain &self, arch::Vcpu &v, uint64_t uop, uint32_t count, bool lm)
{
    size_t const ul = lm ? 8 : 4;    // xen_pfn_t / grant_ref_t union
    size_t const side = lm ? 16 : 8; // one side, padded
    size_t const size = lm ? 40 : 24;
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t const at = uop + uint64_t{i} * size;
        std::byte buf[40] = {};
        if (!read_guest(self, v, at, buf, size))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        std::span<std::byte> const b{buf, size};
        auto u = [&](size_t off) {
            return lm ? load_le<uint64_t>(b, off) : load_le<uint32_t>(b, off);
        };
        uint16_t const len = load_le<uint16_t>(b, 2 * side);
        uint16_t const flags = load_le<uint16_t>(b, 2 * side + 2);
        uint16_t const soff = load_le<uint16_t>(b, ul + 2);
        uint16_t const doff = load_le<uint16_t>(b, side + ul + 2);
        Copy_side src, dst;
        Status st = Status::OKAY;
        if ((flags & ~3u) != 0 || soff + len > PAGE_SIZE || doff + len > PAGE_SIZE)
            st = Status::BAD_COPY_ARG;
        if (st == Status::OKAY)
            st = copy_side(self, (flags & 1) != 0, u(0), load_le<uint16_t>(b, ul), true, src);
        if (st == Status::OKAY)
            st = copy_side(self, (flags & 2) != 0, u(side), load_le<uint16_t>(b, side + ul), false,
                           dst);
        if (st == Status::OKAY) {
            auto *d = x86::phys_to_virt<unsigned char>(dst.hpa + doff);
            auto const *s = x86::phys_to_virt<unsigned char const>(src.hpa + soff);
            for (uint16_t k = 0; k < len; ++k)
                d[k] = s[k];
        }
        if (src.pinned != nullptr)
            src.pinned->unpin(src.ref, src.readonly);
        if (dst.pinned != nullptr)
            dst.pinned->unpin(dst.ref, dst.readonly);
        write_le<uint16_t>(b, 2 * side + 4, static_cast<uint16_t>(st));
        if (!write_guest(self, v, at, buf, size))
            return Hypercall_result::error(Errno::XEN_EFAULT);
    }
    return {0};
}

} // namespace

Hypercall_result hc_grant_table_op(Domain &self, arch::Vcpu &v, Args const &a)
{
    if (!channels(self).active)
        return Hypercall_result::error(Errno::XEN_ESRCH);
    uint32_t const cmd = static_cast<uint32_t>(a.arg[0]);
    uint64_t const uop = a.arg[1];
    if (a.arg[2] > MAX_BATCH)
        return Hypercall_result::error(Errno::XEN_EINVAL);
    uint32_t const count = static_cast<uint32_t>(a.arg[2]);
    switch (static_cast<Gnttab_cmd>(cmd)) {
    case Gnttab_cmd::MAP_GRANT_REF: return map_grant_refs(self, v, uop, count);
    case Gnttab_cmd::UNMAP_GRANT_REF: return unmap_grant_refs(self, v, uop, count);
    case Gnttab_cmd::SETUP_TABLE:
        return count == 1 ? setup_table(self, v, uop, a.long_mode)
                          : Hypercall_result::error(Errno::XEN_EINVAL);
    case Gnttab_cmd::QUERY_SIZE:
        return count == 1 ? query_size(self, v, uop) : Hypercall_result::error(Errno::XEN_EINVAL);
    case Gnttab_cmd::COPY: return copy(self, v, uop, count, a.long_mode);
    default: return Hypercall_result::error(Errno::XEN_ENOSYS);
    }
}

} // namespace hv::kernel
