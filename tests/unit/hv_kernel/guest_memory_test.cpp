// SPDX-License-Identifier: MIT
// Guest memory access: bounds, chunk boundaries, and the guest page-table walk that turns
// hypercall buffer addresses (guest-linear, as in Xen's HVM ABI) into guest-physical ones.
#include "kernel/guest_memory.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "fake_kernel.hpp"

namespace
{

using hv::arch::Guest_mode;
using hv::arch::Reg;
using hv::kernel::read_guest;
using hv::kernel::read_guest_phys;
using hv::kernel::write_guest;
using hv::kernel::write_guest_phys;
using hv::test::Fake_vcpu;
using hv::test::Test_domain;

constexpr uint64_t MiB = 1ull << 20;

TEST(GuestMemory, PhysicalAccessStaysInsideTheDomain)
{
    Test_domain t{4 * MiB};
    char const text[] = "across the 2 MiB chunk boundary";
    uint64_t const gpa = 2 * MiB - 10;
    ASSERT_TRUE(write_guest_phys(t.d(), gpa, text, sizeof text));
    char back[sizeof text] = {};
    ASSERT_TRUE(read_guest_phys(t.d(), gpa, back, sizeof back));
    EXPECT_STREQ(back, text);
    EXPECT_EQ(std::memcmp(t.ram(2 * MiB), text + 10, sizeof text - 10), 0); // second chunk

    char byte = 0;
    EXPECT_TRUE(read_guest_phys(t.d(), 4 * MiB - 1, &byte, 1));
    EXPECT_FALSE(read_guest_phys(t.d(), 4 * MiB, &byte, 1));
    EXPECT_FALSE(read_guest_phys(t.d(), 4 * MiB - 1, back, 2));
    EXPECT_FALSE(read_guest_phys(t.d(), ~uint64_t{0} - 1, back, 4)); // wraps
    EXPECT_FALSE(write_guest_phys(t.d(), 1ull << 40, text, 1));
}

TEST(GuestMemory, UnpagedGuestsUseLinearEqualsPhysical)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::CR0, 0x11); // PE, paging off
    std::memcpy(t.ram(0x1000), "abc", 4);
    char out[4] = {};
    // 32-bit code: the upper half of a 64-bit register is not part of the address.
    ASSERT_TRUE(read_guest(t.d(), v, 0xffffffff00001000ull, out, 4));
    EXPECT_STREQ(out, "abc");
}

// Builds 4-level tables in guest memory at 0x10000: VA 0x40000000 -> PA 0x200000 (4 KiB page),
// VA 0x40001000 -> PA 0x100000 (4 KiB), VA 0x80000000 -> PA 0 (2 MiB page).
void build_tables(Test_domain &t)
{
    auto put = [&](uint64_t gpa, uint64_t value) { std::memcpy(t.ram(gpa), &value, 8); };
    uint64_t const pml4 = 0x10000, pdpt = 0x11000, pd = 0x12000, pt = 0x13000;
    put(pml4, pdpt | 3);
    put(pdpt + 1 * 8, pd | 3);      // VA 1 GiB
    put(pd + 0 * 8, pt | 3);        // VA 1 GiB + 0
    put(pt + 0 * 8, 0x200000 | 3);  // page 0
    put(pt + 1 * 8, 0x100000 | 3);  // page 1
    put(pdpt + 2 * 8, 0x14000 | 3); // VA 2 GiB
    put(0x14000, 0x000000 | 0x83);  // 2 MiB page -> PA 0
}

Fake_vcpu long_mode_vcpu()
{
    Fake_vcpu v;
    v.guest_mode = Guest_mode::LONG64;
    v.reg(Reg::CR0, 0x80000011);
    v.reg(Reg::EFER, 0x500);
    v.reg(Reg::CR3, 0x10000);
    return v;
}

TEST(GuestMemory, LongModeWalkFollowsTheGuestsTables)
{
    Test_domain t{4 * MiB};
    build_tables(t);
    Fake_vcpu v = long_mode_vcpu();
    std::memcpy(t.ram(0x200ffc), "ABCD", 4);
    std::memcpy(t.ram(0x100000), "EFGH", 4);
    char out[9] = {};
    // 8 bytes across the two 4 KiB pages, which map to unrelated physical pages.
    ASSERT_TRUE(read_guest(t.d(), v, 0x40000ffc, out, 8));
    EXPECT_STREQ(out, "ABCDEFGH");
    // The 2 MiB page.
    ASSERT_TRUE(write_guest(t.d(), v, 0x80000000 + 0x3000, "xyz", 4));
    EXPECT_STREQ(reinterpret_cast<char *>(t.ram(0x3000)), "xyz");
}

TEST(GuestMemory, LongModeWalkRefusesWhatTheCpuWouldFault)
{
    Test_domain t{4 * MiB};
    build_tables(t);
    Fake_vcpu v = long_mode_vcpu();
    char out[4];
    EXPECT_FALSE(read_guest(t.d(), v, 0x40002000, out, 4));            // PTE not present
    EXPECT_FALSE(read_guest(t.d(), v, 0xc0000000, out, 4));            // PDPTE not present
    EXPECT_FALSE(read_guest(t.d(), v, 0x8000000040000000ull, out, 4)); // non-canonical
    // Tables that point outside the domain's memory fail instead of reading host memory.
    uint64_t const bad = (64 * MiB) | 3;
    std::memcpy(t.ram(0x13000 + 2 * 8), &bad, 8);
    EXPECT_FALSE(read_guest(t.d(), v, 0x40002000, out, 4));
    v.reg(Reg::CR3, 64 * MiB);
    EXPECT_FALSE(read_guest(t.d(), v, 0x40000000, out, 4));
}

TEST(GuestMemory, ThirtyTwoBitPagingIsNotWalked)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::CR0, 0x80000011); // paging on, no long mode
    char out[4];
    EXPECT_FALSE(read_guest(t.d(), v, 0x1000, out, 4));
}

} // namespace
