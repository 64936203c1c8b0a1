// SPDX-License-Identifier: MIT
// hvm_op (34) HVMOP_set_param / HVMOP_get_param for the callback vector and the store and
// console parameters, and memory_op XENMEM_add_to_physmap for XENMAPSPACE_shared_info and
// XENMAPSPACE_grant_table (docs/channels.md).
#include "arch/x86_64/paging.hpp"
#include "hv/bytes.hpp"
#include "kernel/channels.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

using xen::Errno;

constexpr uint32_t HVMOP_SET_PARAM = 0;
constexpr uint32_t HVMOP_GET_PARAM = 1;
constexpr uint64_t CALLBACK_TYPE_VECTOR = 2;
constexpr uint32_t XENMAPSPACE_SHARED_INFO = 0;
constexpr uint32_t XENMAPSPACE_GRANT_TABLE = 1;
constexpr uint64_t XENMAPIDX_GRANT_TABLE_STATUS = 1ull << 31;
constexpr uint16_t DOMID_SELF = 0x7ff0;

bool kept_param(uint32_t index)
{
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ:
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_CONSOLE_EVTCHN: return true;
    default: return false;
    }
}

Result<void, Errno> set_callback(Domain &d, uint64_t value)
{
    Domain_channels &c = channels(d);
    if (value == 0) {
        c.upcall_vector = 0;
        return ok;
    }
    if (value >> 56 != CALLBACK_TYPE_VECTOR)
        return unexpected(Errno::XEN_EOPNOTSUPP); // GSI and PCI INTx callbacks: no emulated PIC
    uint64_t const vector = value & 0xff;
    if (vector < 0x10 || (value & 0x00ffffffffffff00ull) != 0)
        return unexpected(Errno::XEN_EINVAL); // exception vectors are not event vectors
    c.upcall_vector = static_cast<uint8_t>(vector);
    return ok;
}

} // namespace

Hypercall_result hc_hvm_op(Domain &self, arch::Vcpu &v, Args const &a)
{
    uint64_t const op = a.arg[0];
    if (op != HVMOP_SET_PARAM && op != HVMOP_GET_PARAM)
        return Hypercall_result::error(Errno::XEN_ENOSYS);
    // struct xen_hvm_param { domid_t domid; uint32_t index; uint64_t value; }
    std::byte buf[16];
    if (!read_guest(self, v, a.arg[1], buf, sizeof buf))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    std::span<std::byte> const b{buf};
    uint16_t dom = load_le<uint16_t>(b, 0);
    uint32_t const index = load_le<uint32_t>(b, 4);
    uint64_t const value = load_le<uint64_t>(b, 8);
    if (dom == DOMID_SELF)
        dom = self.id;
    Domain *target = find_domain(dom);
    if (target == nullptr || !target->alive() || !channels(*target).active)
        return Hypercall_result::error(Errno::XEN_ESRCH);
    // Another domain's parameters: only with the control capability (the builder, toolstack).
    bool const privileged = self.caps.has(Cap::DOMAIN_CONTROL) || self.caps.has(Cap::DOMAIN_CREATE);
    if (target != &self && !privileged)
        return Hypercall_result::error(Errno::XEN_EPERM);
    if (index >= HVM_NR_PARAMS)
        return Hypercall_result::error(Errno::XEN_EINVAL);
    if (!kept_param(index))
        return Hypercall_result::error(Errno::XEN_EINVAL);
    Domain_channels &c = channels(*target);
    if (op == HVMOP_GET_PARAM) {
        write_le<uint64_t>(b, 8, c.params[index]);
        if (!write_guest(self, v, a.arg[1], buf, sizeof buf))
            return Hypercall_result::error(Errno::XEN_EFAULT);
        return {0};
    }
    if (index == HVM_PARAM_CALLBACK_IRQ) {
        if (auto const r = set_callback(*target, value); !r)
            return Hypercall_result::error(r.error());
    } else if (target == &self && !privileged) {
        return Hypercall_result::error(Errno::XEN_EPERM); // store/console: set by its builder
    }
    c.params[index] = value;
    return {0};
}

Hypercall_result hc_add_to_physmap(Domain &self, arch::Vcpu &v, uint64_t arg)
{
    // struct xen_add_to_physmap { domid_t domid; uint16_t size; unsigned int space;
    //                              xen_ulong_t idx; xen_pfn_t gpfn; }: 24 bytes / 16 bytes.
    bool const lm = v.mode() == arch::Guest_mode::LONG64;
    size_t const size = lm ? 24 : 16;
    std::byte buf[24] = {};
    if (!read_guest(self, v, arg, buf, size))
        return Hypercall_result::error(Errno::XEN_EFAULT);
    std::span<std::byte const> const b{buf, size};
    uint16_t const dom = load_le<uint16_t>(b, 0);
    uint32_t const space = load_le<uint32_t>(b, 4);
    uint64_t const idx = lm ? load_le<uint64_t>(b, 8) : load_le<uint32_t>(b, 8);
    uint64_t const gpfn = lm ? load_le<uint64_t>(b, 16) : load_le<uint32_t>(b, 12);
    if (dom != DOMID_SELF && dom != self.id)
        return Hypercall_result::error(Errno::XEN_EPERM);
    Domain_channels &c = channels(self);
    if (!c.active || gpfn >= (FOREIGN_HIGH_END >> 12))
        return Hypercall_result::error(Errno::XEN_EINVAL);
    uint64_t const gpa = gpfn * PAGE_SIZE;
    if (space == XENMAPSPACE_SHARED_INFO) {
        // Ward backs shared_info with the guest's own frame at gpfn (zeroed now): it must be RAM.
        uint64_t hpa = 0;
        if (idx != 0 || !self.gpa_to_hpa(gpa, hpa))
            return Hypercall_result::error(Errno::XEN_EINVAL);
        auto *page = x86::phys_to_virt<unsigned char>(hpa);
        for (size_t i = 0; i < PAGE_SIZE; ++i)
            page[i] = 0;
        evtchn::Vcpu_events *const vcpus[1] = {x86::phys_to_virt<evtchn::Vcpu_events>(hpa)};
        c.evtchn->attach(x86::phys_to_virt<evtchn::Shared_events>(hpa + 2048), vcpus, lm ? 64 : 32);
        c.shared_info_gpa = gpa;
        return {0};
    }
    if (space == XENMAPSPACE_GRANT_TABLE) {
        if ((idx & XENMAPIDX_GRANT_TABLE_STATUS) != 0 || idx >= GNTTAB_FRAMES)
            return Hypercall_result::error(Errno::XEN_EINVAL); // v1 only, one frame
        uint64_t &placed = c.gnttab_gpa[idx];
        if (gpa == placed)
            return {0};
        // The grant table is a hypervisor frame: it goes into the foreign window, never over RAM.
        if (!in_foreign_window(self.mem_bytes, gpa, PAGE_SIZE) ||
            self.space->translate(gpa).has_value())
            return Hypercall_result::error(Errno::XEN_EINVAL);
        if (placed != ~uint64_t{0})
            self.space->unmap(placed, PAGE_SIZE);
        placed = ~uint64_t{0};
        if (auto const r = self.space->map(gpa, c.gnttab_pa + idx * PAGE_SIZE, PAGE_SIZE,
                                           arch::Stage2::READ | arch::Stage2::WRITE);
            !r)
            return Hypercall_result::error(Errno::XEN_ENOMEM);
        placed = gpa;
        return {0};
    }
    return Hypercall_result::error(Errno::XEN_EINVAL);
}

} // namespace hv::kernel
