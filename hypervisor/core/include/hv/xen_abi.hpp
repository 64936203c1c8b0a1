// SPDX-License-Identifier: MIT
// Xen ABI numbers Ward speaks (xen/include/public/: xen.h, errno.h, sched.h, version.h,
// memory.h, domctl.h, features.h, elfnote.h). Values only; decoding is in hypercall_args.hpp.
#pragma once

#include <cstdint>

namespace hv::xen
{

enum class Hypercall : uint32_t
{
    SET_TRAP_TABLE = 0,
    MMU_UPDATE = 1,
    SET_TIMER_OP = 15,
    PLATFORM_OP = 7,
    MEMORY_OP = 12,
    MULTICALL = 13,
    XEN_VERSION = 17,
    CONSOLE_IO = 18,
    GRANT_TABLE_OP = 20,
    VM_ASSIST = 21,
    VCPU_OP = 24,
    MMUEXT_OP = 26,
    XSM_OP = 27,
    NMI_OP = 28,
    SCHED_OP = 29,
    CALLBACK_OP = 30,
    XENOPROF_OP = 31,
    EVENT_CHANNEL_OP = 32,
    PHYSDEV_OP = 33,
    HVM_OP = 34,
    SYSCTL = 35,
    DOMCTL = 36,
    KEXEC_OP = 37,
    ARGO_OP = 39,
    XENPMU_OP = 40,
    DM_OP = 41,
    HYPFS_OP = 42,
};

// Xen's errno values with Xen's names (public/errno.h: XEN_EPERM...), so that they never
// collide with the C library's errno macros; hypercalls return them negated in rax.
enum class Errno : int32_t
{
    XEN_EPERM = 1,
    XEN_ENOENT = 2,
    XEN_ESRCH = 3,
    XEN_EIO = 5,
    XEN_ENXIO = 6,
    XEN_E2BIG = 7,
    XEN_ENOEXEC = 8,
    XEN_EBADF = 9,
    XEN_EAGAIN = 11,
    XEN_ENOMEM = 12,
    XEN_EACCES = 13,
    XEN_EFAULT = 14,
    XEN_EBUSY = 16,
    XEN_EEXIST = 17,
    XEN_EXDEV = 18,
    XEN_ENODEV = 19,
    XEN_EINVAL = 22,
    XEN_ENFILE = 23,
    XEN_EMFILE = 24,
    XEN_ENOSPC = 28,
    XEN_ERANGE = 34,
    XEN_ENOSYS = 38,
    XEN_ENODATA = 61,
    XEN_ETIME = 62,
    XEN_EOVERFLOW = 75,
    XEN_EOPNOTSUPP = 95,
    XEN_EADDRINUSE = 98,
    XEN_ENOBUFS = 105,
    XEN_EISCONN = 106,
    XEN_ENOTCONN = 107,
    XEN_ETIMEDOUT = 110,
};

// The rax value for a failed hypercall: -errno as a 64-bit two's complement.
constexpr uint64_t error_rax(Errno e)
{
    return static_cast<uint64_t>(-static_cast<int64_t>(e));
}

// sched_op (public/sched.h)
enum class Sched_cmd : uint32_t
{
    YIELD = 0,
    BLOCK = 1,
    SHUTDOWN = 2,
    POLL = 3,
    REMOTE_SHUTDOWN = 4,
    SHUTDOWN_CODE = 5,
    WATCHDOG = 6,
    PIN_OVERRIDE = 7,
};

enum class Shutdown_reason : uint32_t
{
    POWEROFF = 0,
    REBOOT = 1,
    SUSPEND = 2,
    CRASH = 3,
    WATCHDOG = 4,
    SOFT_RESET = 5,
};

// xen_version (public/version.h)
enum class Xenver : uint32_t
{
    VERSION = 0,
    EXTRAVERSION = 1,
    COMPILE_INFO = 2,
    CAPABILITIES = 3,
    CHANGESET = 4,
    PLATFORM_PARAMETERS = 5,
    GET_FEATURES = 6,
    PAGESIZE = 7,
    GUEST_HANDLE = 8,
    COMMANDLINE = 9,
};

// XENVER_get_features bit numbers in submap 0 (public/features.h)
inline constexpr unsigned XENFEAT_WRITABLE_PAGE_TABLES = 0;
inline constexpr unsigned XENFEAT_AUTO_TRANSLATED_PHYSMAP = 2;
inline constexpr unsigned XENFEAT_SUPERVISOR_MODE_KERNEL = 3;
inline constexpr unsigned XENFEAT_HVM_CALLBACK_VECTOR = 8;
inline constexpr unsigned XENFEAT_HVM_SAFE_PVCLOCK = 9;
inline constexpr unsigned XENFEAT_HVM_PIRQS = 10;

// console_io (public/xen.h)
inline constexpr uint32_t CONSOLEIO_WRITE = 0;
inline constexpr uint32_t CONSOLEIO_READ = 1;

// memory_op (public/memory.h): the low 6 bits are the command, the rest a continuation.
inline constexpr uint64_t XENMEMOP_CMD_MASK = 0x3f;
inline constexpr uint32_t XENMEM_ADD_TO_PHYSMAP = 7;
inline constexpr uint32_t XENMEM_MEMORY_MAP = 9;

// e820 types as in hvm_start_info memory maps and XENMEM_memory_map.
inline constexpr uint32_t E820_RAM = 1;
inline constexpr uint32_t E820_RESERVED = 2;
inline constexpr uint32_t E820_ACPI = 3;
inline constexpr uint32_t E820_NVS = 4;

// domctl (public/domctl.h)
enum class Domctl_cmd : uint32_t
{
    CREATEDOMAIN = 1,
    DESTROYDOMAIN = 2,
    PAUSEDOMAIN = 3,
    UNPAUSEDOMAIN = 4,
    GETDOMAININFO = 5,
};
inline constexpr uint32_t DOMCTL_INTERFACE_VERSION = 0x15; // Xen 4.17

} // namespace hv::xen
