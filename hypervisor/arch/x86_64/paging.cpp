// SPDX-License-Identifier: MIT
// Host page tables (see paging.hpp). Built once on the boot CPU from tables in .bss.
#include "arch/x86_64/paging.hpp"

#include <cstddef>

#include "arch/x86_64/cpu.hpp"
#include "hv/result.hpp"

extern "C" char __image_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[],
    __data_start[], __data_end[], __image_end[];

namespace hv::x86
{
namespace
{

constexpr uint64_t P = 1, RW = 2, PWT = 8, PCD = 16, PS = 0x80;
constexpr uint64_t NX = 1ull << 63;
constexpr uint64_t MB2 = 2ull << 20;
constexpr uint64_t MMIO_START = 3ull << 30;
constexpr size_t MAX_IMAGE_PTS = 8; // image + low memory split into 4 KiB pages: 16 MiB

alignas(4096) uint64_t pml4[512];
alignas(4096) uint64_t pdpt[512];
alignas(4096) uint64_t pd[4][512];
alignas(4096) uint64_t pts[MAX_IMAGE_PTS][512];

uint64_t addr(char const *p)
{
    return reinterpret_cast<uint64_t>(p);
}

// Flags for a 4 KiB page inside the image's 2 MiB regions.
uint64_t small_page_flags(uint64_t pa, uint64_t nx)
{
    if (pa == 0)
        return 0; // catch null pointers
    if (pa >= addr(__text_start) && pa < addr(__text_end))
        return P; // RX
    if (pa >= addr(__rodata_start) && pa < addr(__rodata_end))
        return P | nx; // R
    return P | RW | nx;
}

} // namespace

Cpu_features paging_init()
{
    Cpu_features f{};
    f.nx = (cpuid(0x80000001).edx & (1u << 20)) != 0;
    Cpuid const l7 = cpuid(0).eax >= 7 ? cpuid(7, 0) : Cpuid{};
    f.smep = (l7.ebx & (1u << 7)) != 0;
    f.smap = (l7.ebx & (1u << 20)) != 0;
    if (f.nx)
        wrmsr(msr::EFER, rdmsr(msr::EFER) | EFER_NXE);
    uint64_t const nx = f.nx ? NX : 0;

    pml4[0] = addr(reinterpret_cast<char *>(pdpt)) | P | RW;
    for (size_t g = 0; g < 4; ++g) {
        pdpt[g] = addr(reinterpret_cast<char *>(pd[g])) | P | RW;
        for (size_t i = 0; i < 512; ++i) {
            uint64_t const pa = g * (1ull << 30) + i * MB2;
            pd[g][i] = pa | P | RW | PS | nx | (pa >= MMIO_START ? PCD | PWT : 0);
        }
    }
    // Split [0, end of image) into 4 KiB pages so each section gets its own permissions.
    uint64_t const split_end = (addr(__image_end) + MB2 - 1) & ~(MB2 - 1);
    if (split_end / MB2 > MAX_IMAGE_PTS)
        panic("hypervisor image too large for the boot page tables");
    for (uint64_t region = 0; region < split_end / MB2; ++region) {
        for (size_t i = 0; i < 512; ++i) {
            uint64_t const pa = region * MB2 + i * 4096;
            pts[region][i] = small_page_flags(pa, nx) ? pa | small_page_flags(pa, nx) : 0;
        }
        pd[0][region] = addr(reinterpret_cast<char *>(pts[region])) | P | RW;
    }
    write_cr3(addr(reinterpret_cast<char *>(pml4)));

    uint64_t cr4 = read_cr4();
    if (f.smep)
        cr4 |= CR4_SMEP;
    if (f.smap)
        cr4 |= CR4_SMAP;
    write_cr4(cr4);
    write_cr0(read_cr0() | CR0_WP | CR0_NE);
    return f;
}

} // namespace hv::x86
