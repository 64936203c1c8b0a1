// SPDX-License-Identifier: MIT
// Domain construction shared by boot modules and WARD_DOMCTL create (see domain_create.hpp).
#include "kernel/domain_create.hpp"

#include "hv/elf.hpp"
#include "hv/format.hpp"
#include "kernel/boot_extras.hpp"
#include "kernel/channels.hpp"
#include "kernel/charged_pages.hpp"
#include "kernel/domain_builder.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/kernel.hpp"
#include "kernel/memory.hpp"
#include "kernel/scheduler.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{
namespace
{

using xen::Errno;

// Writes ELF segments into the domain's memory.
struct Guest_sink
{
    Domain &d;
    bool copy(uint64_t gpa, std::span<std::byte const> bytes)
    {
        return write_guest_phys(d, gpa, bytes.data(), bytes.size());
    }
    bool zero(uint64_t gpa, uint64_t len)
    {
        static constexpr std::byte zeros[256]{};
        for (uint64_t done = 0; done < len;) {
            uint64_t const n = len - done < sizeof zeros ? len - done : sizeof zeros;
            if (!write_guest_phys(d, gpa + done, zeros, n))
                return false;
            done += n;
        }
        return true;
    }
};

// Guest RAM in 2 MiB chunks, each charged to the domain's account before it is taken.
Result<void, Errno> allocate_memory(Domain &d, char const *what)
{
    size_t const chunks = static_cast<size_t>(d.mem_bytes / CHUNK_BYTES);
    if (frames().free_frames() < d.mem_bytes / FRAME_SIZE) {
        char why[96];
        format(why, sizeof why,
               "not enough free host memory for mem= (%llu MiB asked, %llu MiB free)",
               static_cast<unsigned long long>(d.mem_bytes >> 20),
               static_cast<unsigned long long>(frames().free_frames() * FRAME_SIZE >> 20));
        refuse(what, why);
        return unexpected(Errno::XEN_ENOMEM);
    }
    for (size_t i = 0; i < chunks; ++i) {
        if (!d.account.charge(CHUNK_BYTES / FRAME_SIZE)) {
            refuse(what, "domain memory limit reached");
            return unexpected(Errno::XEN_ENOMEM);
        }
        auto const pa = alloc_zeroed(CHUNK_ORDER);
        if (!pa) {
            (void)d.account.uncharge(CHUNK_BYTES / FRAME_SIZE);
            refuse(what, "not enough free host memory for mem=");
            return unexpected(Errno::XEN_ENOMEM);
        }
        d.chunks[d.chunk_count++] = *pa;
        Charge_scope const charge{d.account};
        if (!d.space->map(i * CHUNK_BYTES, *pa, CHUNK_BYTES, arch::Stage2::RWX)) {
            refuse(what, "out of memory for the nested page table (host or domain account)");
            return unexpected(Errno::XEN_ENOMEM);
        }
    }
    return ok;
}

// The start page: hvm_start_info, memory map, module list (the initrd, if any), command line.
struct Start_extras
{
    uint64_t rsdp = 0;
    uint64_t initrd_gpa = 0;
    uint64_t initrd_size = 0; // 0: no module
};

bool write_start_info(Domain &d, uint64_t page_gpa, std::span<char const> cmdline,
                      Start_extras const &x)
{
    Guest_memmap_entry map[GUEST_MEMMAP_ENTRIES];
    guest_memmap(d, map);
    for (size_t i = 0; i < GUEST_MEMMAP_ENTRIES; ++i) {
        ward_hvm_memmap_entry const e{map[i].addr, map[i].size, map[i].type, 0};
        if (!write_guest_phys(d, page_gpa + MEMMAP_OFFSET + i * sizeof e, &e, sizeof e))
            return false;
    }
    char const nul = '\0';
    if (!write_guest_phys(d, page_gpa + CMDLINE_OFFSET, cmdline.data(), cmdline.size()) ||
        !write_guest_phys(d, page_gpa + CMDLINE_OFFSET + cmdline.size(), &nul, 1))
        return false;
    ward_hvm_start_info si{};
    si.magic = WARD_HVM_START_MAGIC;
    si.version = 1;
    si.cmdline_paddr = page_gpa + CMDLINE_OFFSET;
    si.memmap_paddr = page_gpa + MEMMAP_OFFSET;
    si.memmap_entries = GUEST_MEMMAP_ENTRIES;
    si.rsdp_paddr = x.rsdp;
    if (x.initrd_size != 0) {
        ward_hvm_modlist_entry const mod{x.initrd_gpa, x.initrd_size, 0, 0};
        if (!write_guest_phys(d, page_gpa + MODLIST_OFFSET, &mod, sizeof mod))
            return false;
        si.nr_modules = 1;
        si.modlist_paddr = page_gpa + MODLIST_OFFSET;
    }
    return write_guest_phys(d, page_gpa + START_INFO_OFFSET, &si, sizeof si);
}

void cap_list(char (&out)[64], Cap_set caps)
{
    size_t len = 0;
    out[0] = '\0';
    for (Cap_info const &c : CAPABILITIES)
        if (caps.has(c.cap))
            len += format(out + len, sizeof out - len, "%s%s", len ? "," : "", c.name);
    if (len == 0)
        format(out, sizeof out, "none");
}

// Undoes a half-built domain: end_domain releases what was taken, the slot becomes free.
Errno abandon(Domain &d, Errno e)
{
    end_domain(d, true, 0, "construction failed");
    d.state = Domain_state::FREE;
    return e;
}

} // namespace

uint64_t account_limit_frames(uint64_t mem_bytes)
{
    return mem_bytes / FRAME_SIZE + DOMAIN_OVERHEAD_FRAMES;
}

void refuse(char const *what, char const *reason)
{
    log("ward: %s refused: %s\n", what, reason);
}

Result<Domain *, Errno> create_domain(Domain_source const &src)
{
    char const *const what = src.what;
    Domain_config const &cfg = src.cfg;
    if (cfg.guest_cmdline.size() >= START_PAGE_BYTES - CMDLINE_OFFSET) {
        refuse(what, "guest command line too long");
        return unexpected(Errno::XEN_EINVAL);
    }
    auto const image = elf::parse(src.image);
    if (!image) {
        char why[96];
        format(why, sizeof why, "bad ELF image: %s", elf::error_name(image.error()));
        refuse(what, why);
        return unexpected(Errno::XEN_ENOEXEC);
    }
    auto const entry = elf::pvh_entry(*image);
    if (!entry) {
        char why[96];
        format(why, sizeof why, "no usable PVH entry: %s", elf::error_name(entry.error()));
        refuse(what, why);
        return unexpected(Errno::XEN_ENOEXEC);
    }
    if (cfg.mem_bytes > MAX_DOMAIN_CHUNKS * CHUNK_BYTES) {
        refuse(what, "mem= is larger than Ward's per-domain maximum (1 GiB)");
        return unexpected(Errno::XEN_E2BIG);
    }
    uint64_t const mem = (cfg.mem_bytes + CHUNK_BYTES - 1) & ~(CHUNK_BYTES - 1);
    uint64_t const start_page = (image->end_paddr() + 4095) & ~uint64_t{4095};
    if (auto const fits = elf::check_fits(*image, mem);
        !fits || start_page + START_PAGE_BYTES > mem) {
        refuse(what, "the image does not fit in the domain's memory (mem= too small)");
        return unexpected(Errno::XEN_E2BIG);
    }
    Start_extras extras{0, start_page + START_PAGE_BYTES, src.initrd.size()};
    if (extras.initrd_gpa + src.initrd.size() > mem) {
        char why[96];
        format(why, sizeof why, "the initrd (%llu KiB) does not fit in mem= after the image",
               static_cast<unsigned long long>(src.initrd.size() >> 10));
        refuse(what, why);
        return unexpected(Errno::XEN_E2BIG);
    }

    Domain *const d = alloc_domain();
    if (d == nullptr) {
        refuse(what, "too many domains");
        return unexpected(Errno::XEN_ENOSPC);
    }
    d->state = Domain_state::RUNNABLE; // alive from here: end_domain() releases what was taken
    d->name = cfg.name;
    d->label = cfg.label;
    d->caps = cfg.caps;
    d->service = cfg.service;
    d->mem_bytes = mem;
    d->account = Memory_account{account_limit_frames(mem)};
    {
        Charge_scope const charge{d->account};
        auto const space = backend().create_stage2(d->id);
        if (!space) {
            refuse(what, arch::error_name(space.error()));
            return unexpected(abandon(*d, Errno::XEN_ENOMEM));
        }
        d->space = *space;
    }
    if (auto const r = allocate_memory(*d, what); !r)
        return unexpected(abandon(*d, r.error()));
    Guest_sink sink{*d};
    bool loaded = elf::load_segments(*image, src.image, sink) &&
                  write_guest_phys(*d, extras.initrd_gpa, src.initrd.data(), src.initrd.size());
    if (loaded) {
        extras.rsdp = write_acpi_tables(*d, src.eventlog);
        loaded = extras.rsdp != 0 && write_start_info(*d, start_page, cfg.guest_cmdline, extras);
    }
    if (!loaded) {
        refuse(what, "could not write the image into the domain's memory");
        return unexpected(abandon(*d, Errno::XEN_EINVAL));
    }
    if (!channels_domain_started(*d)) { // ACM Chinese Wall check, channel state
        refuse(what, "refused by the ACM policy or out of memory (see above)");
        return unexpected(abandon(*d, Errno::XEN_EACCES));
    }
    arch::Vcpu_config const vc{d->id, 0, d->space, {*entry, static_cast<uint32_t>(start_page)}};
    Result<arch::Vcpu *, arch::Error> vcpu = unexpected(arch::Error::OUT_OF_MEMORY);
    {
        Charge_scope const charge{d->account};
        vcpu = backend().create_vcpu(vc);
    }
    if (!vcpu) {
        refuse(what, arch::error_name(vcpu.error()));
        return unexpected(abandon(*d, Errno::XEN_ENOMEM));
    }
    d->vcpu = *vcpu;
    char caps[64];
    cap_list(caps, d->caps);
    log("ward: domain %u '%s' (label %s): %llu MiB, caps %s, PVH entry 0x%x, start_info 0x%llx\n",
        d->id, d->name.c_str(), d->label.c_str(),
        static_cast<unsigned long long>(d->mem_bytes >> 20), caps, *entry,
        static_cast<unsigned long long>(start_page));
    if (!src.initrd.empty())
        log("ward: domain %u '%s': initrd %llu KiB at 0x%llx\n", d->id, d->name.c_str(),
            static_cast<unsigned long long>(src.initrd.size() >> 10),
            static_cast<unsigned long long>(extras.initrd_gpa));
    return d;
}

} // namespace hv::kernel
