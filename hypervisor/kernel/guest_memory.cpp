// SPDX-License-Identifier: MIT
// Guest memory copies and the guest page-table walk (see guest_memory.hpp).
#include "kernel/guest_memory.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"

namespace hv::kernel
{
namespace
{

constexpr uint64_t PAGE = 4096;
constexpr uint64_t ADDR_MASK = 0x000ffffffffff000ull;

// Calls fn(hpa, offset, n) for each piece of [gpa, gpa+len) that lies in one guest page.
template <typename FN> bool each_phys_piece(Domain const &d, uint64_t gpa, size_t len, FN fn)
{
    if (gpa > d.mem_bytes || len > d.mem_bytes - gpa)
        return false;
    size_t done = 0;
    while (done < len) {
        uint64_t const a = gpa + done;
        size_t const n = static_cast<size_t>(
            len - done < PAGE - (a & (PAGE - 1)) ? len - done : PAGE - (a & (PAGE - 1)));
        uint64_t hpa = 0;
        if (!d.gpa_to_hpa(a, hpa))
            return false;
        fn(hpa, done, n);
        done += n;
    }
    return true;
}

// Guest-virtual to guest-physical for the 4 KiB page holding gva.
bool translate(Domain const &d, arch::Vcpu const &v, uint64_t gva, uint64_t &gpa)
{
    if ((v.reg(arch::Reg::CR0) & x86::CR0_PG) == 0) {
        gpa = v.mode() == arch::Guest_mode::LONG64 ? gva : (gva & 0xffffffffu);
        return true;
    }
    if ((v.reg(arch::Reg::EFER) & x86::EFER_LMA) == 0)
        return false; // 32-bit paging: not walked yet (PVH guests run flat or in long mode)
    // A non-canonical address would #GP in the guest; it names no memory.
    uint64_t const top = gva >> 47;
    if (top != 0 && top != (1ull << 17) - 1)
        return false;
    uint64_t table = v.reg(arch::Reg::CR3) & ADDR_MASK;
    for (int level = 3; level >= 0; --level) {
        uint64_t entry = 0;
        uint64_t const index = (gva >> (12 + 9 * level)) & 511;
        if (!read_guest_phys(d, table + index * 8, &entry, sizeof entry) || (entry & 1) == 0)
            return false;
        if (level > 0 && level < 3 && (entry & 0x80)) { // 1 GiB or 2 MiB page
            uint64_t const size = 1ull << (12 + 9 * level);
            gpa = (entry & ADDR_MASK & ~(size - 1)) | (gva & (size - 1));
            return true;
        }
        table = entry & ADDR_MASK;
    }
    gpa = table | (gva & (PAGE - 1));
    return true;
}

template <typename FN>
bool each_virt_piece(Domain const &d, arch::Vcpu const &v, uint64_t gva, size_t len, FN fn)
{
    size_t done = 0;
    while (done < len) {
        uint64_t const a = gva + done;
        size_t const n = static_cast<size_t>(
            len - done < PAGE - (a & (PAGE - 1)) ? len - done : PAGE - (a & (PAGE - 1)));
        uint64_t gpa = 0;
        if (!translate(d, v, a, gpa) || !fn(gpa, done, n))
            return false;
        done += n;
    }
    return true;
}

} // namespace

bool read_guest_phys(Domain const &d, uint64_t gpa, void *dst, size_t len)
{
    auto *out = static_cast<char *>(dst);
    return each_phys_piece(d, gpa, len, [&](uint64_t hpa, size_t off, size_t n) {
        __builtin_memcpy(out + off, x86::phys_to_virt(hpa), n);
    });
}

bool write_guest_phys(Domain &d, uint64_t gpa, void const *src, size_t len)
{
    auto const *in = static_cast<char const *>(src);
    return each_phys_piece(d, gpa, len, [&](uint64_t hpa, size_t off, size_t n) {
        __builtin_memcpy(x86::phys_to_virt(hpa), in + off, n);
    });
}

bool read_guest(Domain const &d, arch::Vcpu const &v, uint64_t gva, void *dst, size_t len)
{
    auto *out = static_cast<char *>(dst);
    return each_virt_piece(d, v, gva, len, [&](uint64_t gpa, size_t off, size_t n) {
        return read_guest_phys(d, gpa, out + off, n);
    });
}

bool write_guest(Domain &d, arch::Vcpu const &v, uint64_t gva, void const *src, size_t len)
{
    auto const *in = static_cast<char const *>(src);
    return each_virt_piece(d, v, gva, len, [&](uint64_t gpa, size_t off, size_t n) {
        return write_guest_phys(d, gpa, in + off, n);
    });
}

} // namespace hv::kernel
