// SPDX-License-Identifier: MIT
// xen_version (version, extraversion, get_features) and memory_op (XENMEM_memory_map).
#include "kernel/domain_builder.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{

Hypercall_result hc_xen_version(Domain &self, arch::Vcpu &v, Hypercall_args const &a)
{
    switch (a.arg[0]) {
    case WARD_XENVER_VERSION: return {(WARD_XEN_MAJOR << 16) | WARD_XEN_MINOR, After::RESUME};
    case WARD_XENVER_EXTRAVERSION: {
        char extra[16] = WARD_XEN_EXTRAVERSION; // xen_extraversion_t
        if (!write_guest(self, v, a.arg[1], extra, sizeof extra))
            return {-WARD_EFAULT, After::RESUME};
        return {0, After::RESUME};
    }
    case WARD_XENVER_GET_FEATURES: {
        ward_xen_feature_info fi{};
        if (!read_guest(self, v, a.arg[1], &fi, sizeof fi))
            return {-WARD_EFAULT, After::RESUME};
        fi.submap = 0; // no optional Xen features yet (shared_info, callback vector come later)
        if (!write_guest(self, v, a.arg[1], &fi, sizeof fi))
            return {-WARD_EFAULT, After::RESUME};
        return {0, After::RESUME};
    }
    default: return {-WARD_ENOSYS, After::RESUME};
    }
}

Hypercall_result hc_memory_op(Domain &self, arch::Vcpu &v, Hypercall_args const &a)
{
    if ((a.arg[0] & 0x3f) != WARD_XENMEM_MEMORY_MAP) // MEMOP_CMD_MASK
        return {-WARD_ENOSYS, After::RESUME};
    // struct xen_memory_map { unsigned int nr_entries; XEN_GUEST_HANDLE(void) buffer; }
    bool const wide = v.mode() == arch::Guest_mode::LONG64;
    uint32_t capacity = 0;
    uint64_t buffer = 0;
    if (!read_guest(self, v, a.arg[1], &capacity, sizeof capacity) ||
        !read_guest(self, v, a.arg[1] + (wide ? 8 : 4), &buffer, wide ? 8 : 4))
        return {-WARD_EFAULT, After::RESUME};
    Guest_memmap_entry map[GUEST_MEMMAP_ENTRIES];
    guest_memmap(self, map);
    uint32_t const n = capacity < GUEST_MEMMAP_ENTRIES ? capacity : GUEST_MEMMAP_ENTRIES;
    for (uint32_t i = 0; i < n; ++i) {
        ward_e820_entry const e{map[i].addr, map[i].size, map[i].type};
        if (!write_guest(self, v, buffer + i * sizeof e, &e, sizeof e))
            return {-WARD_EFAULT, After::RESUME};
    }
    if (!write_guest(self, v, a.arg[1], &n, sizeof n))
        return {-WARD_EFAULT, After::RESUME};
    return {0, After::RESUME};
}

} // namespace hv::kernel
