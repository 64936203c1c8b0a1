// SPDX-License-Identifier: MIT
// Xen hypercall argument decoding; see hypercall_args.hpp.
#include "hv/hypercall_args.hpp"

#include "hv/bytes.hpp"

namespace hv::xen
{

char const *hypercall_name(uint64_t nr)
{
    switch (nr) {
    case 0: return "set_trap_table";
    case 1: return "mmu_update";
    case 7: return "platform_op";
    case 12: return "memory_op";
    case 13: return "multicall";
    case 15: return "set_timer_op";
    case 17: return "xen_version";
    case 18: return "console_io";
    case 20: return "grant_table_op";
    case 21: return "vm_assist";
    case 24: return "vcpu_op";
    case 26: return "mmuext_op";
    case 27: return "xsm_op";
    case 28: return "nmi_op";
    case 29: return "sched_op";
    case 30: return "callback_op";
    case 31: return "xenoprof_op";
    case 32: return "event_channel_op";
    case 33: return "physdev_op";
    case 34: return "hvm_op";
    case 35: return "sysctl";
    case 36: return "domctl";
    case 37: return "kexec_op";
    case 39: return "argo_op";
    case 40: return "xenpmu_op";
    case 41: return "dm_op";
    case 42: return "hypfs_op";
    default: return nullptr;
    }
}

Result<void, Errno> check_guest_buffer(uint64_t gpa, uint64_t len, std::span<Gpa_region const> ram)
{
    if (len == 0)
        return ok;
    auto const end = range_end(gpa, len);
    if (!end)
        return unexpected(Errno::XEN_EFAULT);
    for (Gpa_region const &r : ram) {
        auto const r_end = range_end(r.base, r.size);
        if (r_end && gpa >= r.base && *end <= *r_end)
            return ok;
    }
    return unexpected(Errno::XEN_EFAULT);
}

Result<Console_write, Errno> decode_console_io(Hypercall_args const &a)
{
    uint32_t const cmd = static_cast<uint32_t>(a.arg[0]);
    uint32_t const count = static_cast<uint32_t>(a.arg[1]);
    if (cmd == CONSOLEIO_READ)
        return unexpected(Errno::XEN_EPERM);
    if (cmd != CONSOLEIO_WRITE)
        return unexpected(Errno::XEN_ENOSYS);
    if (count > CONSOLE_WRITE_MAX)
        return unexpected(Errno::XEN_E2BIG);
    return Console_write{a.arg[2], count};
}

Result<Sched_op, Errno> decode_sched_op(Hypercall_args const &a)
{
    auto const cmd = static_cast<Sched_cmd>(static_cast<uint32_t>(a.arg[0]));
    switch (cmd) {
    case Sched_cmd::YIELD:
    case Sched_cmd::BLOCK:
    case Sched_cmd::SHUTDOWN: return Sched_op{cmd, a.arg[1]};
    default: return unexpected(Errno::XEN_ENOSYS);
    }
}

Result<Shutdown_reason, Errno> parse_sched_shutdown(std::span<std::byte const> bytes)
{
    auto const reason = read_le<uint32_t>(bytes, 0);
    if (!reason)
        return unexpected(Errno::XEN_EFAULT);
    if (*reason > static_cast<uint32_t>(Shutdown_reason::SOFT_RESET))
        return unexpected(Errno::XEN_EINVAL);
    return static_cast<Shutdown_reason>(*reason);
}

char const *shutdown_reason_name(Shutdown_reason r)
{
    switch (r) {
    case Shutdown_reason::POWEROFF: return "poweroff";
    case Shutdown_reason::REBOOT: return "reboot";
    case Shutdown_reason::SUSPEND: return "suspend";
    case Shutdown_reason::CRASH: return "crash";
    case Shutdown_reason::WATCHDOG: return "watchdog";
    case Shutdown_reason::SOFT_RESET: return "soft_reset";
    }
    return "unknown";
}

Result<Xen_version_op, Errno> decode_xen_version(Hypercall_args const &a)
{
    auto const cmd = static_cast<Xenver>(static_cast<uint32_t>(a.arg[0]));
    uint32_t size = 0;
    switch (cmd) {
    case Xenver::VERSION:
    case Xenver::PAGESIZE: size = 0; break;
    case Xenver::EXTRAVERSION: size = 16; break;
    case Xenver::COMPILE_INFO: size = 64 + 16 + 32 + 32; break;
    case Xenver::CAPABILITIES: size = 1024; break;
    case Xenver::CHANGESET: size = 64; break;
    case Xenver::PLATFORM_PARAMETERS: size = a.long_mode ? 8 : 4; break; // xen_ulong_t
    case Xenver::GET_FEATURES: size = 8; break; // submap_idx in, submap out
    case Xenver::GUEST_HANDLE: size = 16; break;
    case Xenver::COMMANDLINE: size = 1024; break;
    default: return unexpected(Errno::XEN_ENOSYS);
    }
    return Xen_version_op{cmd, a.arg[1], size};
}

Result<Memory_op, Errno> decode_memory_op(Hypercall_args const &a)
{
    uint32_t const cmd = static_cast<uint32_t>(a.arg[0] & XENMEMOP_CMD_MASK);
    if (cmd != XENMEM_MEMORY_MAP && cmd != XENMEM_ADD_TO_PHYSMAP)
        return unexpected(Errno::XEN_ENOSYS);
    if ((a.arg[0] & ~XENMEMOP_CMD_MASK) != 0) // continuations are never handed out by Ward
        return unexpected(Errno::XEN_EINVAL);
    return Memory_op{cmd, a.arg[1]};
}

Result<Memory_map_request, Errno> parse_memory_map_request(std::span<std::byte const> bytes,
                                                           bool long_mode)
{
    if (bytes.size() < memory_map_request_size(long_mode))
        return unexpected(Errno::XEN_EFAULT);
    uint32_t const nr = load_le<uint32_t>(bytes, 0);
    uint64_t const buffer = long_mode ? load_le<uint64_t>(bytes, 8) : load_le<uint32_t>(bytes, 4);
    return Memory_map_request{nr, buffer};
}

Result<uint32_t, Errno> encode_e820(std::span<E820_entry const> map, uint32_t nr_entries,
                                    std::span<std::byte> out)
{
    uint32_t const n = nr_entries < map.size() ? nr_entries : static_cast<uint32_t>(map.size());
    if (out.size() < uint64_t{n} * E820_ENTRY_SIZE)
        return unexpected(Errno::XEN_EFAULT);
    for (uint32_t i = 0; i < n; ++i) {
        size_t const off = size_t{i} * E820_ENTRY_SIZE;
        (void)write_le<uint64_t>(out, off, map[i].addr); // sized above
        (void)write_le<uint64_t>(out, off + 8, map[i].size);
        (void)write_le<uint32_t>(out, off + 16, map[i].type);
    }
    return n;
}

Result<Domctl_header, Errno> parse_domctl_header(std::span<std::byte const> bytes)
{
    if (bytes.size() < DOMCTL_HEADER_SIZE)
        return unexpected(Errno::XEN_EFAULT);
    uint32_t const cmd = load_le<uint32_t>(bytes, 0);
    if (load_le<uint32_t>(bytes, 4) != DOMCTL_INTERFACE_VERSION)
        return unexpected(Errno::XEN_EACCES);
    HV_TRY(domctl_capability(cmd));
    return Domctl_header{cmd, load_le<uint16_t>(bytes, 8)};
}

Result<Cap, Errno> domctl_capability(uint32_t cmd)
{
    switch (static_cast<Domctl_cmd>(cmd)) {
    case Domctl_cmd::CREATEDOMAIN: return Cap::DOMAIN_CREATE;
    case Domctl_cmd::DESTROYDOMAIN:
    case Domctl_cmd::PAUSEDOMAIN:
    case Domctl_cmd::UNPAUSEDOMAIN: return Cap::DOMAIN_CONTROL;
    case Domctl_cmd::GETDOMAININFO: return Cap::DOMAIN_INFO;
    }
    return unexpected(Errno::XEN_ENOSYS);
}

} // namespace hv::xen
