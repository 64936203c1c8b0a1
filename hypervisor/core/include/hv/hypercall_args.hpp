// SPDX-License-Identifier: MIT
// Decoding and validation of Xen hypercall arguments, shared by the SVM and VMX backends:
// register convention (64-bit: rax = number, rdi rsi rdx r10 r8; 32-bit: eax, ebx ecx edx esi
// edi), guest buffer ranges, and the sub-commands of console_io, sched_op, xen_version,
// memory_op (XENMEM_memory_map) and domctl with the capability each domctl needs. Everything
// here is guest-controlled input; every failure is a Xen errno for rax. Spec: docs/boot.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/capability.hpp"
#include "hv/result.hpp"
#include "hv/xen_abi.hpp"

namespace hv::xen
{

// The guest registers a hypercall reads, filled in by the arch backend from the VMCB/VMCS.
struct Guest_regs
{
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8, r10;
};

struct Hypercall_args
{
    uint64_t nr;
    std::array<uint64_t, 5> arg;
    bool long_mode; // 64-bit guest (CS.L): pointers and longs are 8 bytes
};

constexpr Hypercall_args decode_hypercall(Guest_regs const &r, bool long_mode)
{
    if (long_mode)
        return {r.rax, {r.rdi, r.rsi, r.rdx, r.r10, r.r8}, true};
    constexpr uint64_t m = 0xffffffffu;
    return {r.rax & m, {r.rbx & m, r.rcx & m, r.rdx & m, r.rsi & m, r.rdi & m}, false};
}

// A hypercall's name for logs ("console_io"), or nullptr for a number Ward does not name.
char const *hypercall_name(uint64_t nr);

// One contiguous range of a domain's guest-physical RAM.
struct Gpa_region
{
    uint64_t base;
    uint64_t size;
};

// [gpa, gpa + len) lies inside one RAM region without wrapping: else EFAULT. len 0 is fine.
Result<void, Errno> check_guest_buffer(uint64_t gpa, uint64_t len, std::span<Gpa_region const> ram);

// console_io(CONSOLEIO_write, count, buffer). Ward writes at most this much per call.
inline constexpr uint32_t CONSOLE_WRITE_MAX = 64 * 1024;

struct Console_write
{
    // A guest linear address, as every Xen guest handle: the kernel translates it through the
    // guest's page tables when paging is on (unpaged test guests: linear = physical) and then
    // checks the physical range with check_guest_buffer().
    uint64_t buffer;
    uint32_t count;
};

// EPERM for CONSOLEIO_read (no domain reads the hypervisor's input), ENOSYS for other
// commands, E2BIG above CONSOLE_WRITE_MAX.
Result<Console_write, Errno> decode_console_io(Hypercall_args const &a);

struct Sched_op
{
    Sched_cmd cmd;
    uint64_t arg; // guest address of the sub-command's struct (shutdown: sched_shutdown)
};

// yield, block and shutdown; every other command is ENOSYS.
Result<Sched_op, Errno> decode_sched_op(Hypercall_args const &a);

// struct sched_shutdown { unsigned int reason; }: EFAULT if short, EINVAL for unknown reasons.
Result<Shutdown_reason, Errno> parse_sched_shutdown(std::span<std::byte const> bytes);
char const *shutdown_reason_name(Shutdown_reason r);

struct Xen_version_op
{
    Xenver cmd;
    uint64_t arg;      // guest buffer (unused for VERSION and PAGESIZE)
    uint32_t out_size; // bytes the reply writes to `arg`; 0 when the reply is rax itself
};

// ENOSYS for unknown commands.
Result<Xen_version_op, Errno> decode_xen_version(Hypercall_args const &a);

constexpr uint64_t xen_version_rax(uint16_t major, uint16_t minor)
{
    return uint64_t{major} << 16 | minor;
}

struct Memory_op
{
    uint32_t cmd;
    uint64_t arg;
};

// memory_map and add_to_physmap; ENOSYS for the rest.
Result<Memory_op, Errno> decode_memory_op(Hypercall_args const &a);

// struct xen_memory_map { unsigned int nr_entries; XEN_GUEST_HANDLE(void) buffer; }:
// 16 bytes for a 64-bit guest (handle at 8), 8 for a 32-bit one (handle at 4).
struct Memory_map_request
{
    uint32_t nr_entries;
    uint64_t buffer;
};
constexpr size_t memory_map_request_size(bool long_mode)
{
    return long_mode ? 16 : 8;
}
Result<Memory_map_request, Errno> parse_memory_map_request(std::span<std::byte const> bytes,
                                                           bool long_mode);

struct E820_entry
{
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};
inline constexpr size_t E820_ENTRY_SIZE = 20; // packed

// As Xen: copies min(nr_entries, map.size()) entries (20 bytes each) into `out` and returns
// that count, which the kernel writes back into nr_entries (offset 0). EFAULT if `out` is short.
Result<uint32_t, Errno> encode_e820(std::span<E820_entry const> map, uint32_t nr_entries,
                                    std::span<std::byte> out);

// The head of struct xen_domctl: cmd, interface_version, domain.
struct Domctl_header
{
    uint32_t cmd;
    uint16_t domain;
};
inline constexpr size_t DOMCTL_HEADER_SIZE = 16;

// EFAULT if short, EACCES for a different interface version (as Xen), ENOSYS for a command
// Ward does not implement.
Result<Domctl_header, Errno> parse_domctl_header(std::span<std::byte const> bytes);

// The capability a domctl needs (no dom0: privilege is per capability, docs/boot.md).
Result<Cap, Errno> domctl_capability(uint32_t cmd);

} // namespace hv::xen
