// SPDX-License-Identifier: MIT
// Host page tables (see paging.hpp), built once on the boot CPU with hv core's page-table
// builder in the host format (which refuses writable+executable mappings), from a pool of
// table pages in .bss. Runs on the entry stub's identity map, so pa == va already.
#include "arch/x86_64/paging.hpp"

#include <cstddef>
#include <optional>

#include "arch/x86_64/cpu.hpp"
#include "hv/page_table.hpp"
#include "hv/result.hpp"
#include "platform/log.hpp"

extern "C" char __image_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[],
    __data_start[], __image_end[], boot_stack_guard[];

namespace hv::x86
{
namespace
{

constexpr uint64_t PAGE = 4096;
constexpr uint64_t MMIO_START = 3ull << 30;
constexpr size_t POOL_PAGES = 32;

alignas(4096) uint64_t pool[POOL_PAGES][512];
size_t pool_used = 0;

struct Identity_memory
{
    uint64_t read(uint64_t table, unsigned i) const { return phys_to_virt<uint64_t>(table)[i]; }
    void write(uint64_t table, unsigned i, uint64_t v) { phys_to_virt<uint64_t>(table)[i] = v; }
};

struct Pool_alloc
{
    std::optional<uint64_t> alloc_table()
    {
        if (pool_used == POOL_PAGES)
            return std::nullopt;
        uint64_t *const t = pool[pool_used++];
        for (size_t i = 0; i < 512; ++i)
            t[i] = 0;
        return reinterpret_cast<uint64_t>(t);
    }
    void free_table(uint64_t) {} // the host tables are never torn down
};

using Host_table = pt::Page_table<pt::Host_format, Identity_memory, Pool_alloc>;

Identity_memory memory;
Pool_alloc alloc;
std::optional<Host_table> host_table;

uint64_t addr(char const *p)
{
    return reinterpret_cast<uint64_t>(p);
}

void map(Host_table &t, uint64_t start, uint64_t end, pt::Perms perms, pt::Mem_type type,
         char const *what)
{
    if (end <= start)
        return;
    if (auto const r = t.map_range(start, start, end - start, perms, type); !r) {
        log("ward: host page tables: mapping %s: %s\n", what, pt::error_name(r.error()));
        panic("cannot build the hypervisor's page tables");
    }
}

} // namespace

Cpu_features paging_init()
{
    Cpu_features f{};
    f.nx = (cpuid(0x80000001).edx & (1u << 20)) != 0;
    Cpuid const l7 = cpuid(0).eax >= 7 ? cpuid(7, 0) : Cpuid{};
    f.smep = (l7.ebx & (1u << 7)) != 0;
    f.smap = (l7.ebx & (1u << 20)) != 0;
    if (!f.nx)
        panic("this CPU has no NX bit; Ward needs it for W^X");
    wrmsr(msr::EFER, rdmsr(msr::EFER) | EFER_NXE);

    auto created = Host_table::create(memory, alloc);
    if (!created)
        panic("no page for the host PML4");
    host_table.emplace(*created);
    Host_table &t = *host_table;
    using pt::Mem_type;
    using pt::R, pt::W, pt::X;
    uint64_t const image_end = (addr(__image_end) + PAGE - 1) & ~(PAGE - 1);
    // Page 0 stays unmapped, to catch null pointers.
    map(t, PAGE, addr(__image_start), R | W, Mem_type::WB, "low memory");
    map(t, addr(__text_start), addr(__text_end), R | X, Mem_type::WB, ".text");
    map(t, addr(__rodata_start), addr(__rodata_end), R, Mem_type::WB, ".rodata");
    // .data/.bss, minus the boot stack's guard page.
    map(t, addr(__data_start), addr(boot_stack_guard), R | W, Mem_type::WB, ".data/.bss");
    map(t, addr(boot_stack_guard) + PAGE, image_end, R | W, Mem_type::WB, ".bss");
    map(t, image_end, MMIO_START, R | W, Mem_type::WB, "RAM");
    map(t, MMIO_START, IDENTITY_MAP_END, R | W, Mem_type::UC, "MMIO");
    write_cr3(t.root());

    uint64_t cr4 = read_cr4();
    if (f.smep)
        cr4 |= CR4_SMEP;
    if (f.smap)
        cr4 |= CR4_SMAP;
    write_cr4(cr4);
    write_cr0(read_cr0() | CR0_WP | CR0_NE);
    return f;
}

bool mapped(uint64_t va, uint64_t len)
{
    if (!host_table || len == 0 || va + len < va)
        return false;
    for (uint64_t page = va & ~(PAGE - 1); page < va + len; page += PAGE)
        if (!host_table->lookup(page))
            return false;
    return true;
}

} // namespace hv::x86
