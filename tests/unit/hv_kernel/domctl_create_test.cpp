// SPDX-License-Identifier: MIT
// WARD_DOMCTL_CREATE against the hosted kernel: every refusal (capability, escalation, sizes,
// unreadable buffers, bad command line, truncated or note-less ELF, memory limits) comes back
// as Xen's errno with a log line, leaks no scratch buffer and leaves no half-built domain; and
// the charging provider that puts nested page-table and VMCB/VMCS pages on a domain's account.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "../hypervisor/fakes/elf_builder.hpp"
#include "fake_kernel.hpp"
#include "kernel/charged_pages.hpp"
#include "kernel/domain_create.hpp"
#include "kernel/hypercall.hpp"
#include "ward/abi/xen.h"

namespace
{

using hv::Cap;
using hv::Cap_set;
using hv::arch::Reg;
using hv::kernel::Domain_state;
using hv::test::Fake_vcpu;
using hv::test::log_text;
using hv::test::scratch_outstanding;
using hv::test::Test_domain;

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t DC = 0x7000, CMDLINE = 0x8000, IMAGE = 0x10000;

Cap_set caps_of(std::initializer_list<Cap> list)
{
    Cap_set s;
    for (Cap c : list)
        s.add(c);
    return s;
}

size_t live_domains()
{
    size_t n = 0;
    for (auto const &d : hv::kernel::domains())
        n += d.state != Domain_state::FREE ? 1 : 0;
    return n;
}

struct Create_fixture : ::testing::Test
{
    Test_domain admin{4 * MiB, caps_of({Cap::DOMAIN_CREATE, Cap::DOMAIN_INFO}), "admin"};
    Fake_vcpu v;
    hv_test::Bytes image = hv_test::Elf_builder{}.load(0x100000, 256, 0x1000).pvh(0x100000).build();

    void SetUp() override
    {
        log_text().clear();
        scratch_outstanding() = 0;
    }

    // Puts the image and command line in the caller's RAM and issues the domctl (32-bit call).
    int64_t create(Test_domain &caller, std::string const &cmdline, uint64_t image_size,
                   uint64_t image_gva = IMAGE, uint64_t cmdline_gva = CMDLINE)
    {
        std::memcpy(caller.ram(CMDLINE), cmdline.data(), cmdline.size());
        std::memcpy(caller.ram(IMAGE), image.data(), image.size());
        ward_domctl dc{};
        dc.cmd = WARD_DOMCTL_CREATE;
        dc.interface_version = WARD_DOMCTL_INTERFACE_VERSION;
        dc.u.create.image = image_gva;
        dc.u.create.image_size = image_size;
        dc.u.create.cmdline = cmdline_gva;
        dc.u.create.cmdline_size = static_cast<uint32_t>(cmdline.size());
        std::memcpy(caller.ram(DC), &dc, sizeof dc);
        v.reg(Reg::CR0, 0x11);
        v.reg(Reg::RAX, WARD_HC_DOMCTL);
        v.reg(Reg::RBX, DC);
        hv::kernel::handle_hypercall(caller.d(), v);
        return static_cast<int64_t>(v.reg(Reg::RAX));
    }
    bool logged(char const *text) const { return log_text().find(text) != std::string::npos; }
};

TEST_F(Create_fixture, WithoutTheCreateCapabilityIsRefused)
{
    Test_domain nobody{4 * MiB, caps_of({Cap::DOMAIN_INFO}), "nobody"};
    size_t const before = live_domains();
    EXPECT_EQ(create(nobody, "name=child mem=2M", image.size()), -WARD_EPERM);
    EXPECT_TRUE(logged("lacks capability 'create'"));
    EXPECT_EQ(live_domains(), before);
}

TEST_F(Create_fixture, CapabilitiesTheCallerLacksCannotBeGranted)
{
    size_t const before = live_domains();
    EXPECT_EQ(create(admin, "name=child mem=2M caps=create,control", image.size()), -WARD_EPERM);
    EXPECT_TRUE(logged("caps= grants 'control', which the caller does not hold"));
    EXPECT_EQ(live_domains(), before);
    EXPECT_EQ(scratch_outstanding(), 0);
}

TEST_F(Create_fixture, SizesAndAddressesAreChecked)
{
    size_t const before = live_domains();
    EXPECT_EQ(create(admin, "name=child mem=2M", 0), -WARD_EINVAL);
    EXPECT_EQ(create(admin, "name=child mem=2M", WARD_DOMCTL_CREATE_MAX_IMAGE + 1), -WARD_EINVAL);
    EXPECT_TRUE(logged("image size out of range"));
    EXPECT_EQ(create(admin, "", image.size()), -WARD_EINVAL);
    EXPECT_EQ(create(admin, std::string(WARD_DOMCTL_CREATE_MAX_CMDLINE + 1, 'a'), image.size()),
              -WARD_EINVAL);
    // Outside the caller's 4 MiB, or running off its end, or wrapping around.
    EXPECT_EQ(create(admin, "name=child mem=2M", image.size(), 64 * MiB), -WARD_EFAULT);
    EXPECT_EQ(create(admin, "name=child mem=2M", 2 * MiB, 3 * MiB), -WARD_EFAULT);
    EXPECT_EQ(create(admin, "name=child mem=2M", image.size(), ~uint64_t{0} - 16), -WARD_EFAULT);
    EXPECT_EQ(create(admin, "name=child mem=2M", image.size(), IMAGE, 5 * MiB), -WARD_EFAULT);
    EXPECT_TRUE(logged("image not readable at the given address"));
    EXPECT_TRUE(logged("command line not readable at the given address"));
    EXPECT_EQ(live_domains(), before);
    EXPECT_EQ(scratch_outstanding(), 0);
}

TEST_F(Create_fixture, BadCommandLinesAreRefused)
{
    EXPECT_EQ(create(admin, "name=child mem=lots", image.size()), -WARD_EINVAL);
    EXPECT_TRUE(logged("bad command line"));
    EXPECT_EQ(create(admin, "mem=2M", image.size()), -WARD_EINVAL);
    EXPECT_EQ(create(admin, "name=child mem=2M caps=root", image.size()), -WARD_EINVAL);
    EXPECT_EQ(create(admin, std::string("name=child\0mem=2M", 17), image.size()), -WARD_EINVAL);
    EXPECT_EQ(scratch_outstanding(), 0);
}

TEST_F(Create_fixture, TruncatedOrNoteLessImagesAreRefused)
{
    size_t const before = live_domains();
    EXPECT_EQ(create(admin, "name=child mem=2M", 40), -WARD_ENOEXEC); // header cut
    EXPECT_TRUE(logged("refused: bad ELF image"));
    EXPECT_EQ(create(admin, "name=child mem=2M", image.size() - 100), -WARD_ENOEXEC);
    image = hv_test::Elf_builder{}.load(0x100000, 256, 0x1000).build();
    EXPECT_EQ(create(admin, "name=child mem=2M", image.size()), -WARD_ENOEXEC);
    EXPECT_TRUE(logged("no usable PVH entry"));
    EXPECT_EQ(live_domains(), before);
    EXPECT_EQ(scratch_outstanding(), 0);
}

TEST_F(Create_fixture, MemoryLimitsAreRefused)
{
    size_t const before = live_domains();
    EXPECT_EQ(create(admin, "name=child mem=2048M", image.size()), -WARD_E2BIG);
    EXPECT_TRUE(logged("larger than Ward's per-domain maximum"));
    // An image loaded above mem=.
    image = hv_test::Elf_builder{}.load(0x400000, 256, 0x1000).pvh(0x400000).build();
    EXPECT_EQ(create(admin, "name=child mem=2M", image.size()), -WARD_E2BIG);
    EXPECT_TRUE(logged("does not fit in the domain's memory"));
    EXPECT_EQ(live_domains(), before);
}

TEST_F(Create_fixture, AValidRequestReachesConstructionAndUndoesItOnFailure)
{
    // The hosted backend has no nested page tables: construction fails at create_stage2, after
    // every check passed; the half-built slot must be free again and the scratch copy freed.
    size_t const before = live_domains();
    EXPECT_EQ(create(admin, "name=child label=blue mem=2M caps=info -- hello", image.size()),
              -WARD_ENOMEM);
    EXPECT_TRUE(logged("domctl create by domain"));
    EXPECT_EQ(live_domains(), before);
    EXPECT_EQ(scratch_outstanding(), 0);
}

// The backend's allocations while a Charge_scope is open land on the domain's account.
class Counting_pages final : public hv::arch::Page_provider
{
  public:
    hv::Result<uint64_t, hv::arch::Error> alloc_pages(size_t count) override
    {
        if (fail)
            return hv::unexpected(hv::arch::Error::OUT_OF_MEMORY);
        outstanding += count;
        return 0x1000 * ++calls;
    }
    void free_pages(uint64_t, size_t count) override { outstanding -= count; }
    size_t outstanding = 0;
    uint64_t calls = 0;
    bool fail = false;
};

TEST(ChargedPages, ChargedInsideAScopeRefusedOverTheLimit)
{
    Counting_pages inner;
    hv::kernel::Charging_provider p{inner};
    hv::Memory_account account{8};
    ASSERT_TRUE(p.alloc_pages(1)); // no scope: the hypervisor's own
    EXPECT_EQ(account.used(), 0u);
    p.account = &account;
    auto const a = p.alloc_pages(3); // rounded to 4 like the frame allocator's orders
    ASSERT_TRUE(a);
    EXPECT_EQ(account.used(), 4u);
    ASSERT_TRUE(p.alloc_pages(4));
    EXPECT_EQ(account.used(), 8u);
    size_t const before = inner.outstanding;
    EXPECT_FALSE(p.alloc_pages(1)); // over the limit: refused before taking anything
    EXPECT_EQ(inner.outstanding, before);
    p.free_pages(*a, 3);
    EXPECT_EQ(account.used(), 4u);
    inner.fail = true; // host out of memory: the charge is given back
    EXPECT_FALSE(p.alloc_pages(2));
    EXPECT_EQ(account.used(), 4u);
}

TEST(ChargedPages, ScopeRestoresThePreviousAccount)
{
    hv::Memory_account a{4};
    EXPECT_EQ(hv::kernel::charging_provider().account, nullptr);
    {
        hv::kernel::Charge_scope const s{a};
        EXPECT_EQ(hv::kernel::charging_provider().account, &a);
    }
    EXPECT_EQ(hv::kernel::charging_provider().account, nullptr);
}

TEST(ChargedPages, AccountLimitCoversRamAndOverhead)
{
    EXPECT_EQ(hv::kernel::account_limit_frames(2 * MiB), 512u + hv::kernel::DOMAIN_OVERHEAD_FRAMES);
}

} // namespace
