// SPDX-License-Identifier: MIT
// xen_version (version, extraversion, get_features, pagesize) and memory_op
// (XENMEM_memory_map).
#include "kernel/domain_builder.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{

Hypercall_result hc_xen_version(Domain &self, arch::Vcpu &v, Args const &a)
{
    auto const op = xen::decode_xen_version(a);
    if (!op)
        return Hypercall_result::error(op.error());
    switch (op->cmd) {
    case xen::Xenver::VERSION:
        return {static_cast<int64_t>(xen::xen_version_rax(WARD_XEN_MAJOR, WARD_XEN_MINOR))};
    case xen::Xenver::PAGESIZE: return {4096};
    case xen::Xenver::EXTRAVERSION: {
        char extra[16] = WARD_XEN_EXTRAVERSION; // xen_extraversion_t
        if (!write_guest(self, v, op->arg, extra, sizeof extra))
            return Hypercall_result::error(xen::Errno::XEN_EFAULT);
        return {0};
    }
    case xen::Xenver::GET_FEATURES: {
        ward_xen_feature_info fi{};
        if (!read_guest(self, v, op->arg, &fi, sizeof fi))
            return Hypercall_result::error(xen::Errno::XEN_EFAULT);
        // XENFEAT_writable_page_tables, auto_translated_physmap, hvm_callback_vector,
        // hvm_safe_pvclock: what a PVH Linux needs for its PV timer and event upcall.
        fi.submap = fi.submap_idx == 0 ? (1u << 0) | (1u << 2) | (1u << 8) | (1u << 9) : 0;
        if (!write_guest(self, v, op->arg, &fi, sizeof fi))
            return Hypercall_result::error(xen::Errno::XEN_EFAULT);
        return {0};
    }
    default: return Hypercall_result::error(xen::Errno::XEN_ENOSYS); // decoded, not offered yet
    }
}

Hypercall_result hc_memory_op(Domain &self, arch::Vcpu &v, Args const &a)
{
    auto const op = xen::decode_memory_op(a);
    if (!op)
        return Hypercall_result::error(op.error());
    if (op->cmd == xen::XENMEM_ADD_TO_PHYSMAP) {
        Hypercall_result const r = hc_add_to_physmap(self, v, op->arg); // hc_hvm.cpp
        if (r.value == 0)
            publish_guest_time(self); // a new shared_info gets its pvclock at once
        return r;
    }
    if (op->cmd != xen::XENMEM_MEMORY_MAP)
        return Hypercall_result::error(xen::Errno::XEN_ENOSYS);
    std::byte raw[16];
    size_t const size = xen::memory_map_request_size(a.long_mode);
    if (!read_guest(self, v, op->arg, raw, size))
        return Hypercall_result::error(xen::Errno::XEN_EFAULT);
    auto const req = xen::parse_memory_map_request({raw, size}, a.long_mode);
    if (!req)
        return Hypercall_result::error(req.error());
    Guest_memmap_entry map[GUEST_MEMMAP_ENTRIES];
    guest_memmap(self, map);
    xen::E820_entry e820[GUEST_MEMMAP_ENTRIES];
    for (size_t i = 0; i < GUEST_MEMMAP_ENTRIES; ++i)
        e820[i] = {map[i].addr, map[i].size, map[i].type};
    std::byte out[GUEST_MEMMAP_ENTRIES * xen::E820_ENTRY_SIZE];
    auto const n = xen::encode_e820(e820, req->nr_entries, out);
    if (!n)
        return Hypercall_result::error(n.error());
    uint32_t const count = *n;
    if (!write_guest(self, v, req->buffer, out, count * xen::E820_ENTRY_SIZE) ||
        !write_guest(self, v, op->arg, &count, sizeof count))
        return Hypercall_result::error(xen::Errno::XEN_EFAULT);
    return {0};
}

} // namespace hv::kernel
