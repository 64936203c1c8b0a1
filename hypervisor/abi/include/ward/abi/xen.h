/* SPDX-License-Identifier: MIT */
/* The guest-visible ABI Ward implements: the subset of Xen's public interface (numbers, errno
 * values, structures from xen/include/public/{xen,sched,memory,version,hvm/start_info,arch-x86/
 * cpuid}.h) plus Ward's own domain-control commands. C and C++, so the tiny test guests (C,
 * 32-bit) and the hypervisor (C++) share one definition. Spec: docs/hypercalls.md. */
#ifndef WARD_ABI_XEN_H
#define WARD_ABI_XEN_H

#include <stdint.h>

#ifdef __cplusplus
#define WARD_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define WARD_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

/* Hypercall numbers (xen.h). */
#define WARD_HC_MEMORY_OP 12
#define WARD_HC_XEN_VERSION 17
#define WARD_HC_CONSOLE_IO 18
#define WARD_HC_SCHED_OP 29
#define WARD_HC_DOMCTL 36
/* Not a Xen number: the benchmark's bare exit, answered before any dispatch (docs/hypercalls.md).
 */
#define WARD_HC_BENCH_NOP 0x7fff

/* Errno values returned negated in RAX (xen/include/public/errno.h). */
#define WARD_EPERM 1
#define WARD_ESRCH 3
#define WARD_E2BIG 7
#define WARD_ENOEXEC 8
#define WARD_ENOMEM 12
#define WARD_EACCES 13
#define WARD_EFAULT 14
#define WARD_EBUSY 16
#define WARD_EINVAL 22
#define WARD_ENOSPC 28
#define WARD_ENOSYS 38
#define WARD_EOPNOTSUPP 95

/* console_io */
#define WARD_CONSOLEIO_WRITE 0
#define WARD_CONSOLEIO_READ 1

/* sched_op */
#define WARD_SCHEDOP_YIELD 0
#define WARD_SCHEDOP_BLOCK 1
#define WARD_SCHEDOP_SHUTDOWN 2
#define WARD_SHUTDOWN_POWEROFF 0
#define WARD_SHUTDOWN_REBOOT 1
#define WARD_SHUTDOWN_SUSPEND 2
#define WARD_SHUTDOWN_CRASH 3
#define WARD_SHUTDOWN_WATCHDOG 4

struct ward_sched_shutdown
{
    uint32_t reason;
};

/* xen_version */
#define WARD_XENVER_VERSION 0
#define WARD_XENVER_EXTRAVERSION 1
#define WARD_XENVER_GET_FEATURES 6
#define WARD_XEN_MAJOR 4
#define WARD_XEN_MINOR 17
#define WARD_XEN_EXTRAVERSION ".0-ward"

struct ward_xen_feature_info
{
    uint32_t submap_idx;
    uint32_t submap;
};

/* memory_op */
#define WARD_XENMEM_MEMORY_MAP 9

/* struct xen_memory_map: nr_entries then a guest handle (pointer-sized, 8-byte aligned in
 * 64-bit guests). The entries are e820 entries (20 bytes, packed). */
struct ward_e820_entry
{
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));
WARD_STATIC_ASSERT(sizeof(struct ward_e820_entry) == 20, "e820 entry");
#define WARD_E820_RAM 1
#define WARD_E820_RESERVED 2

/* Domain control (hypercall 36): Xen's struct xen_domctl header (cmd, interface_version 0x15,
 * domain) with Ward's own payloads at offset 16 (NOT Xen's getdomaininfo layout). The single
 * argument is the address of the struct; results are copied back into it. */
#define WARD_DOMCTL_INTERFACE_VERSION 0x15
#define WARD_DOMCTL_CREATE 1
#define WARD_DOMCTL_DESTROY 2
#define WARD_DOMCTL_PAUSE 3
#define WARD_DOMCTL_UNPAUSE 4
#define WARD_DOMCTL_INFO 5
#define WARD_DOMCTL_CONSOLE_READ 0x8001 /* Ward-specific */
#define WARD_DOMCTL_STORE_INFO 0x8002   /* Ward-specific; needs the store capability */

struct ward_domain_info
{
    uint16_t domid;
    uint8_t state; /* WARD_DOMSTATE_* */
    uint8_t shutdown_reason;
    uint32_t caps;
    uint64_t mem_bytes;
    char name[32];
};
WARD_STATIC_ASSERT(sizeof(struct ward_domain_info) == 48, "domain info");
#define WARD_DOMSTATE_RUNNABLE 1
#define WARD_DOMSTATE_BLOCKED 2
#define WARD_DOMSTATE_PAUSED 3
#define WARD_DOMSTATE_SHUTDOWN 4

/* WARD_DOMCTL_CONSOLE_READ: copies up to `size` of the newest bytes of the target's console
 * ring to `buffer` (a guest address); `returned` says how many. */
struct ward_domctl_console_read
{
    uint64_t buffer;
    uint32_t size;
    uint32_t returned;
};

/* WARD_DOMCTL_CREATE (docs/hypercalls.md): builds a domain from an ELF image with a PVH note
 * and a boot-module command line ("name=.. label=.. mem=.. caps=.. [-- guest cmdline]"), both in
 * the caller's memory (guest addresses). caps= must be a subset of the caller's own. The new
 * domain's id is written to `domid`. */
#define WARD_DOMCTL_CREATE_MAX_IMAGE (16u << 20)
#define WARD_DOMCTL_CREATE_MAX_CMDLINE 1024u
struct ward_domctl_create
{
    uint64_t image;        /* guest address of the ELF file */
    uint64_t image_size;   /* bytes, 1 .. WARD_DOMCTL_CREATE_MAX_IMAGE */
    uint64_t cmdline;      /* guest address of the command line (no NUL needed) */
    uint32_t cmdline_size; /* bytes, 1 .. WARD_DOMCTL_CREATE_MAX_CMDLINE */
    uint16_t domid;        /* out */
    uint16_t pad;
};
WARD_STATIC_ASSERT(sizeof(struct ward_domctl_create) == 32, "domctl create");

/* WARD_DOMCTL_STORE_INFO (docs/store-domain.md): the first live domain whose id is >= the
 * header's `domain` and whose xenstore ring is served by the caller; -ESRCH when there is none.
 * `port` is the domain's unbound event channel port whose remote end is the caller, `pfn` the
 * ring page's frame (also granted to the caller as grant reference 1). */
struct ward_store_info
{
    uint16_t domid;
    uint8_t state; /* WARD_DOMSTATE_* */
    uint8_t pad;
    uint32_t port;
    uint64_t pfn;
    char name[32];
};
WARD_STATIC_ASSERT(sizeof(struct ward_store_info) == 48, "store info");

struct ward_domctl
{
    uint32_t cmd;
    uint32_t interface_version;
    uint16_t domain;
    uint16_t pad[3];
    union
    {
        struct ward_domain_info info;
        struct ward_domctl_console_read console;
        struct ward_domctl_create create;
        struct ward_store_info store;
        uint8_t raw[128];
    } u;
};
WARD_STATIC_ASSERT(sizeof(struct ward_domctl) == 144, "domctl");

/* CPUID leaves (arch-x86/cpuid.h) and the hypercall page MSR. */
#define WARD_CPUID_BASE 0x40000000u
#define WARD_CPUID_MAX_LEAF 0x40000004u
#define WARD_HYPERCALL_PAGE_MSR 0x40000000u
#define WARD_HVM_CPUID_VCPU_ID_PRESENT (1u << 3)
#define WARD_HVM_CPUID_DOMID_PRESENT (1u << 4)

/* hvm_start_info (hvm/start_info.h), version 1. */
#define WARD_HVM_START_MAGIC 0x336ec578u
struct ward_hvm_start_info
{
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr;
    uint32_t memmap_entries;
    uint32_t reserved;
};
WARD_STATIC_ASSERT(sizeof(struct ward_hvm_start_info) == 56, "hvm_start_info");

struct ward_hvm_modlist_entry
{
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};
WARD_STATIC_ASSERT(sizeof(struct ward_hvm_modlist_entry) == 32, "hvm_modlist_entry");

#define WARD_HVM_MEMMAP_TYPE_RAM 1
#define WARD_HVM_MEMMAP_TYPE_RESERVED 2
struct ward_hvm_memmap_entry
{
    uint64_t addr;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};
WARD_STATIC_ASSERT(sizeof(struct ward_hvm_memmap_entry) == 24, "hvm_memmap_table_entry");

#endif
