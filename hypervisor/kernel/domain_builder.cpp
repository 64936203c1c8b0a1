// SPDX-License-Identifier: MIT
// Domain construction from boot modules (see domain_builder.hpp, docs/boot.md).
#include "kernel/domain_builder.hpp"

#include "arch/x86_64/paging.hpp"
#include "hv/elf.hpp"
#include "hv/format.hpp"
#include "hv/module_cmdline.hpp"
#include "kernel/boot_extras.hpp"
#include "kernel/acm_hooks.hpp"
#include "kernel/channels.hpp"
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

// "module 2 'name=rogue mem=4M'" for log lines, cut to fit.
void describe(char (&out)[80], size_t index, std::span<char const> cmdline)
{
    size_t const n = cmdline.size() < 48 ? cmdline.size() : 48;
    char text[49];
    for (size_t i = 0; i < n; ++i)
        text[i] = cmdline[i] >= 0x20 && cmdline[i] <= 0x7e ? cmdline[i] : '?';
    text[n] = '\0';
    format(out, sizeof out, "module %zu '%s%s'", index, text, cmdline.size() > n ? "..." : "");
}

void refuse(char const *what, char const *reason)
{
    log("ward: %s refused: %s\n", what, reason);
}

bool allocate_memory(Domain &d, char const *what)
{
    size_t const chunks = static_cast<size_t>((d.mem_bytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
    if (chunks > MAX_DOMAIN_CHUNKS) {
        refuse(what, "mem= is larger than Ward's per-domain maximum (1 GiB)");
        return false;
    }
    d.mem_bytes = chunks * CHUNK_BYTES;
    if (frames().free_frames() < d.mem_bytes / FRAME_SIZE) {
        char why[96];
        format(why, sizeof why,
               "not enough free host memory for mem= (%llu MiB asked, %llu MiB free)",
               static_cast<unsigned long long>(d.mem_bytes >> 20),
               static_cast<unsigned long long>(frames().free_frames() * FRAME_SIZE >> 20));
        refuse(what, why);
        return false;
    }
    d.account = Memory_account{d.mem_bytes / FRAME_SIZE};
    for (size_t i = 0; i < chunks; ++i) {
        if (!d.account.charge(CHUNK_BYTES / FRAME_SIZE)) {
            refuse(what, "domain memory limit reached");
            return false;
        }
        auto const pa = alloc_zeroed(CHUNK_ORDER);
        if (!pa) {
            refuse(what, "not enough free host memory for mem=");
            return false;
        }
        d.chunks[d.chunk_count++] = *pa;
        if (!d.space->map(i * CHUNK_BYTES, *pa, CHUNK_BYTES, arch::Stage2::RWX)) {
            refuse(what, "out of memory for the nested page table");
            return false;
        }
    }
    return true;
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

} // namespace

void guest_memmap(Domain const &d, Guest_memmap_entry (&out)[GUEST_MEMMAP_ENTRIES])
{
    out[0] = {0, 0xa0000, WARD_HVM_MEMMAP_TYPE_RAM};
    out[1] = {0xa0000, 0x60000, WARD_HVM_MEMMAP_TYPE_RESERVED};
    out[2] = {0x100000, d.mem_bytes - 0x100000, WARD_HVM_MEMMAP_TYPE_RAM};
}

Domain *build_domain_from_module(mb2::Info const &info, size_t index, uint64_t hv_start,
                                 uint64_t hv_end)
{
    mb2::Module const m = info.module(index);
    if (is_policy_module(m.cmdline))
        return nullptr; // the ACM policy (acm_hooks.cpp), not a domain
    char what[80];
    describe(what, index, m.cmdline);

    if (auto const r = mb2::check_module(info, index, hv_start, hv_end); !r) {
        refuse(what, mb2::error_name(r.error()));
        return nullptr;
    }
    auto const parsed = parse_module_cmdline(m.cmdline);
    if (!parsed) {
        char why[96];
        format(why, sizeof why, "bad command line: %s (column %u)",
               error_name(parsed.error().reason), parsed.error().column);
        refuse(what, why);
        return nullptr;
    }
    if (parsed->role != Module_role::DOMAIN) {
        if (!domain_module_named(info, parsed->owner))
            refuse(what, "initrd_for= names no domain module");
        return nullptr; // loaded by its domain (boot_extras.hpp)
    }
    Domain_config const &cfg = parsed->domain;
    if (cfg.guest_cmdline.size() >= START_PAGE_BYTES - CMDLINE_OFFSET) {
        refuse(what, "guest command line too long");
        return nullptr;
    }
    std::span<std::byte const> const file{x86::phys_to_virt<std::byte const>(m.start),
                                          m.end - m.start};
    auto const image = elf::parse(file);
    if (!image) {
        char why[96];
        format(why, sizeof why, "bad ELF image: %s", elf::error_name(image.error()));
        refuse(what, why);
        return nullptr;
    }
    auto const entry = elf::pvh_entry(*image);
    if (!entry) {
        char why[96];
        format(why, sizeof why, "no usable PVH entry: %s", elf::error_name(entry.error()));
        refuse(what, why);
        return nullptr;
    }
    uint64_t const mem = (cfg.mem_bytes + CHUNK_BYTES - 1) & ~(CHUNK_BYTES - 1);
    uint64_t const start_page = (image->end_paddr() + 4095) & ~uint64_t{4095};
    if (auto const fits = elf::check_fits(*image, mem);
        !fits || start_page + START_PAGE_BYTES > mem) {
        refuse(what, "the image does not fit in the domain's memory (mem= too small)");
        return nullptr;
    }
    char const *initrd_error = nullptr;
    auto const initrd = find_initrd(info, cfg.name, hv_start, hv_end, initrd_error);
    if (initrd_error != nullptr) {
        refuse(what, initrd_error);
        return nullptr;
    }
    Start_extras extras{0, start_page + START_PAGE_BYTES, initrd.size()};
    if (extras.initrd_gpa + initrd.size() > mem) {
        char why[96];
        format(why, sizeof why, "the initrd (%llu KiB) does not fit in mem= after the image",
               static_cast<unsigned long long>(initrd.size() >> 10));
        refuse(what, why);
        return nullptr;
    }

    Domain *const d = alloc_domain();
    if (d == nullptr) {
        refuse(what, "too many domains");
        return nullptr;
    }
    d->state = Domain_state::RUNNABLE; // alive from here: end_domain() releases what was taken
    d->name = cfg.name;
    d->label = cfg.label;
    d->caps = cfg.caps;
    d->mem_bytes = mem;
    auto const space = backend().create_stage2(d->id);
    if (!space) {
        refuse(what, arch::error_name(space.error()));
        end_domain(*d, true, 0, "construction failed");
        d->state = Domain_state::FREE;
        return nullptr;
    }
    d->space = *space;
    Guest_sink sink{*d};
    bool loaded = allocate_memory(*d, what) && elf::load_segments(*image, file, sink) &&
                  write_guest_phys(*d, extras.initrd_gpa, initrd.data(), initrd.size());
    if (loaded) {
        extras.rsdp = write_acpi_tables(*d);
        loaded = extras.rsdp != 0 && write_start_info(*d, start_page, cfg.guest_cmdline, extras);
    }
    if (!loaded) {
        end_domain(*d, true, 0, "construction failed");
        d->state = Domain_state::FREE;
        return nullptr;
    }
    if (!channels_domain_started(*d)) { // ACM Chinese Wall check, channel state
        refuse(what, "refused by the ACM policy or out of memory (see above)");
        end_domain(*d, true, 0, "construction failed");
        d->state = Domain_state::FREE;
        return nullptr;
    }
    arch::Vcpu_config const vc{d->id, 0, d->space, {*entry, static_cast<uint32_t>(start_page)}};
    auto const vcpu = backend().create_vcpu(vc);
    if (!vcpu) {
        refuse(what, arch::error_name(vcpu.error()));
        end_domain(*d, true, 0, "construction failed");
        d->state = Domain_state::FREE;
        return nullptr;
    }
    d->vcpu = *vcpu;
    sched_add(*d, 0); // one CPU for now
    char caps[64];
    cap_list(caps, d->caps);
    log("ward: domain %u '%s' (label %s): %llu MiB, caps %s, PVH entry 0x%x, start_info 0x%llx\n",
        d->id, d->name.c_str(), d->label.c_str(),
        static_cast<unsigned long long>(d->mem_bytes >> 20), caps, *entry,
        static_cast<unsigned long long>(start_page));
    if (!initrd.empty())
        log("ward: domain %u '%s': initrd %llu KiB at 0x%llx\n", d->id, d->name.c_str(),
            static_cast<unsigned long long>(initrd.size() >> 10),
            static_cast<unsigned long long>(extras.initrd_gpa));
    return d;
}

} // namespace hv::kernel
