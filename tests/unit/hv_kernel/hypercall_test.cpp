// SPDX-License-Identifier: MIT
// The kernel's hypercall handlers and exit handling against a fake vCPU and real host memory:
// return values, errno on bad input, capability checks, and the effects on the domain.
#include "kernel/hypercall.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>

#include "fake_kernel.hpp"
#include "kernel/port_io.hpp"
#include "kernel/vcpu_exit.hpp"
#include "ward/abi/xen.h"

namespace
{

using hv::Cap;
using hv::Cap_set;
using hv::arch::Exit;
using hv::arch::Exit_reason;
using hv::arch::Guest_mode;
using hv::arch::Reg;
using hv::kernel::After;
using hv::kernel::Domain_state;
using hv::kernel::handle_exit;
using hv::kernel::handle_hypercall;
using hv::test::Fake_vcpu;
using hv::test::log_text;
using hv::test::Test_domain;

constexpr uint64_t MiB = 1ull << 20;

// A 32-bit hypercall: EAX = nr, EBX, ECX, EDX, ESI, EDI.
int64_t call32(Test_domain &t, Fake_vcpu &v, uint64_t nr, uint64_t a1 = 0, uint64_t a2 = 0,
               uint64_t a3 = 0)
{
    v.reg(Reg::CR0, 0x11);
    v.reg(Reg::RAX, nr);
    v.reg(Reg::RBX, a1);
    v.reg(Reg::RCX, a2);
    v.reg(Reg::RDX, a3);
    handle_hypercall(t.d(), v);
    return static_cast<int64_t>(v.reg(Reg::RAX));
}

std::string console(Test_domain &t)
{
    auto const &d = t.d();
    return std::string(d.console_ring.data(), d.console_written);
}

TEST(Hypercall, ConsoleWriteGoesToTheRingAndTheLog)
{
    Test_domain t{2 * MiB, {}, "writer"};
    Fake_vcpu v;
    std::memcpy(t.ram(0x5000), "hello\n", 6);
    log_text().clear();
    EXPECT_EQ(call32(t, v, WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, 6, 0x5000), 0);
    EXPECT_EQ(console(t), "hello\n");
    EXPECT_NE(log_text().find("[writer] hello\n"), std::string::npos);
    EXPECT_EQ(v.skips, 1);
}

TEST(Hypercall, BadInputGetsXenErrnoValues)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    EXPECT_EQ(call32(t, v, WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, 16, 2 * MiB - 8),
              -WARD_EFAULT);
    EXPECT_EQ(call32(t, v, WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_READ, 16, 0x1000), -WARD_EPERM);
    EXPECT_EQ(call32(t, v, WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, 1u << 20, 0x1000),
              -7); // E2BIG
    EXPECT_EQ(call32(t, v, 63), -WARD_ENOSYS);
    EXPECT_EQ(call32(t, v, 0xffffffff), -WARD_ENOSYS);
    EXPECT_EQ(call32(t, v, WARD_HC_SCHED_OP, 77), -WARD_ENOSYS);
    EXPECT_EQ(call32(t, v, WARD_HC_MEMORY_OP, 5), -WARD_ENOSYS);
    EXPECT_EQ(call32(t, v, WARD_HC_XEN_VERSION, 99), -WARD_ENOSYS);
    v.current_cpl = 3;
    EXPECT_EQ(call32(t, v, WARD_HC_XEN_VERSION, WARD_XENVER_VERSION), -WARD_EPERM);
    EXPECT_TRUE(t.d().alive());
}

TEST(Hypercall, XenVersion)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    EXPECT_EQ(call32(t, v, WARD_HC_XEN_VERSION, WARD_XENVER_VERSION), (4 << 16) | 17);
    EXPECT_EQ(call32(t, v, WARD_HC_XEN_VERSION, WARD_XENVER_EXTRAVERSION, 0x3000), 0);
    EXPECT_STREQ(reinterpret_cast<char *>(t.ram(0x3000)), ".0-ward");
    EXPECT_EQ(call32(t, v, WARD_HC_XEN_VERSION, 7), 4096); // pagesize
}

TEST(Hypercall, MemoryMapIn32And64BitLayouts)
{
    Test_domain t{6 * MiB};
    Fake_vcpu v;
    uint32_t req32[2] = {8, 0x4000}; // nr_entries, buffer
    std::memcpy(t.ram(0x2000), req32, sizeof req32);
    EXPECT_EQ(call32(t, v, WARD_HC_MEMORY_OP, WARD_XENMEM_MEMORY_MAP, 0x2000), 0);
    uint32_t n = 0;
    std::memcpy(&n, t.ram(0x2000), 4);
    ASSERT_EQ(n, 3u);
    ward_e820_entry e[3];
    std::memcpy(e, t.ram(0x4000), sizeof e);
    EXPECT_EQ(e[0].addr, 0u);
    EXPECT_EQ(e[0].size, 0xa0000u);
    EXPECT_EQ(e[1].type, uint32_t{WARD_E820_RESERVED});
    EXPECT_EQ(e[2].addr, 0x100000u);
    EXPECT_EQ(e[2].addr + e[2].size, 6 * MiB);

    // 64-bit: the handle is at offset 8; a capacity of 2 returns 2 entries.
    Fake_vcpu v64;
    v64.guest_mode = Guest_mode::LONG64;
    uint64_t req64[2] = {2, 0x6000};
    std::memcpy(t.ram(0x2100), req64, sizeof req64);
    v64.reg(Reg::RAX, WARD_HC_MEMORY_OP);
    v64.reg(Reg::RDI, WARD_XENMEM_MEMORY_MAP);
    v64.reg(Reg::RSI, 0x2100);
    handle_hypercall(t.d(), v64);
    EXPECT_EQ(v64.reg(Reg::RAX), 0u);
    std::memcpy(&n, t.ram(0x2100), 4);
    EXPECT_EQ(n, 2u);
    EXPECT_EQ(t.ram(0x6000 + 2 * 20)[0], 0); // the third entry was not written
}

TEST(Hypercall, ShutdownEndsTheDomainWithItsReason)
{
    Test_domain t{2 * MiB, {}, "quitter"};
    Fake_vcpu v;
    uint32_t reason = 99;
    std::memcpy(t.ram(0x1000), &reason, 4);
    EXPECT_EQ(call32(t, v, WARD_HC_SCHED_OP, WARD_SCHEDOP_SHUTDOWN, 0x1000), -WARD_EINVAL);
    EXPECT_TRUE(t.d().alive());
    reason = WARD_SHUTDOWN_CRASH;
    std::memcpy(t.ram(0x1000), &reason, 4);
    v.reg(Reg::RAX, WARD_HC_SCHED_OP);
    v.reg(Reg::RBX, WARD_SCHEDOP_SHUTDOWN);
    v.reg(Reg::RCX, 0x1000);
    EXPECT_EQ(handle_hypercall(t.d(), v), After::DESCHEDULE);
    EXPECT_EQ(t.d().state, Domain_state::SHUTDOWN);
    EXPECT_FALSE(t.d().destroyed);
    EXPECT_EQ(t.d().shutdown_reason, uint32_t{WARD_SHUTDOWN_CRASH});
}

TEST(Hypercall, YieldAndBlock)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::RAX, WARD_HC_SCHED_OP);
    v.reg(Reg::RBX, WARD_SCHEDOP_YIELD);
    EXPECT_EQ(handle_hypercall(t.d(), v), After::YIELD);
    v.reg(Reg::RAX, WARD_HC_SCHED_OP);
    v.reg(Reg::RBX, WARD_SCHEDOP_BLOCK);
    EXPECT_EQ(handle_hypercall(t.d(), v), After::DESCHEDULE);
    EXPECT_EQ(t.d().state, Domain_state::BLOCKED);
}

struct Domctl_fixture : ::testing::Test
{
    Test_domain target{2 * MiB, {}, "target"};
    Fake_vcpu v;

    int64_t domctl(Test_domain &caller, uint32_t cmd, uint16_t dom, uint32_t version = 0x15)
    {
        ward_domctl dc{};
        dc.cmd = cmd;
        dc.interface_version = version;
        dc.domain = dom;
        dc.u.console.buffer = 0x8000;
        dc.u.console.size = 64;
        std::memcpy(caller.ram(0x7000), &dc, sizeof dc);
        return call32(caller, v, WARD_HC_DOMCTL, 0x7000);
    }
    ward_domctl reply(Test_domain &caller)
    {
        ward_domctl dc;
        std::memcpy(&dc, caller.ram(0x7000), sizeof dc);
        return dc;
    }
};

TEST_F(Domctl_fixture, WithoutCapabilityEverythingOnOthersIsRefused)
{
    Test_domain caller{2 * MiB, {}, "nobody"};
    uint16_t const t = target.d().id;
    log_text().clear();
    for (uint32_t cmd : std::initializer_list<uint32_t>{
             WARD_DOMCTL_DESTROY, WARD_DOMCTL_PAUSE, WARD_DOMCTL_UNPAUSE, WARD_DOMCTL_INFO,
             WARD_DOMCTL_CONSOLE_READ, WARD_DOMCTL_CREATE})
        EXPECT_EQ(domctl(caller, cmd, t), -WARD_EPERM) << cmd;
    EXPECT_NE(log_text().find("lacks capability 'control'"), std::string::npos);
    EXPECT_TRUE(target.d().alive());
    EXPECT_EQ(target.d().state, Domain_state::RUNNABLE);
    // Its own info and console need no capability.
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_INFO, caller.d().id), 0);
    EXPECT_EQ(reply(caller).u.info.domid, caller.d().id);
}

TEST_F(Domctl_fixture, HeaderIsCheckedFirst)
{
    Test_domain caller{2 * MiB, Cap_set{0xff}};
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_INFO, target.d().id, 0x11), -13); // EACCES
    EXPECT_EQ(domctl(caller, 4242, target.d().id), -WARD_ENOSYS);
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_INFO, 999), -WARD_ESRCH);
    EXPECT_EQ(call32(caller, v, WARD_HC_DOMCTL, 2 * MiB - 4), -WARD_EFAULT);
}

TEST_F(Domctl_fixture, ControlCapabilityPausesUnpausesDestroys)
{
    Cap_set caps;
    caps.add(Cap::DOMAIN_CONTROL);
    Test_domain caller{2 * MiB, caps, "admin"};
    uint16_t const t = target.d().id;
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_PAUSE, t), 0);
    EXPECT_EQ(target.d().state, Domain_state::PAUSED);
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_PAUSE, t), -WARD_EINVAL);
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_UNPAUSE, t), 0);
    EXPECT_EQ(target.d().state, Domain_state::RUNNABLE);
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_UNPAUSE, t), -WARD_EINVAL);
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_PAUSE, caller.d().id), -WARD_EINVAL); // not itself
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_INFO, t), -WARD_EPERM);               // needs 'info'
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_CREATE, 0), -WARD_EPERM);             // needs 'create'
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_DESTROY, t), 0);
    EXPECT_FALSE(target.d().alive());
    EXPECT_TRUE(target.d().destroyed);
    EXPECT_EQ(domctl(caller, WARD_DOMCTL_DESTROY, t), -WARD_EINVAL);
}

TEST_F(Domctl_fixture, InfoAndConsoleRead)
{
    Cap_set caps;
    caps.add(Cap::DOMAIN_INFO);
    caps.add(Cap::CONSOLE_READ_OTHERS);
    Test_domain caller{2 * MiB, caps};
    hv::kernel::console_write(target.d(), "line one\nline two\n", 18);
    ASSERT_EQ(domctl(caller, WARD_DOMCTL_INFO, target.d().id), 0);
    ward_domctl dc = reply(caller);
    EXPECT_STREQ(dc.u.info.name, "target");
    EXPECT_EQ(dc.u.info.state, WARD_DOMSTATE_RUNNABLE);
    EXPECT_EQ(dc.u.info.mem_bytes, 2 * MiB);
    ASSERT_EQ(domctl(caller, WARD_DOMCTL_CONSOLE_READ, target.d().id), 0);
    dc = reply(caller);
    EXPECT_EQ(dc.u.console.returned, 18u);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(caller.ram(0x8000)), 18),
              "line one\nline two\n");
}

Exit exit_of(Exit_reason r)
{
    Exit e{};
    e.reason = r;
    return e;
}

TEST(Exits, XenCpuidLeaves)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::RAX, 0x40000000);
    handle_exit(t.d(), v, exit_of(Exit_reason::CPUID));
    char sig[13] = {};
    uint32_t regs[3] = {static_cast<uint32_t>(v.reg(Reg::RBX)),
                        static_cast<uint32_t>(v.reg(Reg::RCX)),
                        static_cast<uint32_t>(v.reg(Reg::RDX))};
    std::memcpy(sig, regs, 12);
    EXPECT_STREQ(sig, "XenVMMXenVMM");
    EXPECT_GE(v.reg(Reg::RAX), 0x40000002u);
    v.reg(Reg::RAX, 0x40000002);
    handle_exit(t.d(), v, exit_of(Exit_reason::CPUID));
    EXPECT_EQ(v.reg(Reg::RBX), 0x40000000u); // hypercall page MSR
    v.reg(Reg::RAX, 0x40000004);
    handle_exit(t.d(), v, exit_of(Exit_reason::CPUID));
    EXPECT_EQ(v.reg(Reg::RCX), t.d().id);
    v.reg(Reg::RAX, 1);
    handle_exit(t.d(), v, exit_of(Exit_reason::CPUID));
    EXPECT_NE(v.reg(Reg::RCX) & (1u << 31), 0u); // hypervisor bit
    EXPECT_EQ(v.reg(Reg::RCX) & (1u << 5), 0u);  // no VMX
    EXPECT_EQ(v.skips, 4);
}

TEST(Exits, HypercallPageMsr)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::RCX, 0x40000000);
    v.reg(Reg::RAX, 0x9000);
    v.reg(Reg::RDX, 0);
    handle_exit(t.d(), v, exit_of(Exit_reason::MSR_WRITE));
    uint8_t const *page = t.ram(0x9000);
    // Stub 29 (sched_op): mov $29, %eax; vmmcall; ret
    uint8_t const want[] = {0xb8, 29, 0, 0, 0, 0x0f, 0x01, 0xd9, 0xc3};
    EXPECT_EQ(std::memcmp(page + 29 * 32, want, sizeof want), 0);
    EXPECT_EQ(v.skips, 1);
    // A page index or a page outside the domain: #GP, RIP not advanced.
    v.reg(Reg::RAX, 0x9001);
    handle_exit(t.d(), v, exit_of(Exit_reason::MSR_WRITE));
    ASSERT_TRUE(v.injected.has_value());
    EXPECT_EQ(v.injected->vector, 13);
    EXPECT_EQ(v.skips, 1);
    v.injected.reset();
    v.reg(Reg::RAX, 0x00200000);
    handle_exit(t.d(), v, exit_of(Exit_reason::MSR_WRITE));
    EXPECT_TRUE(v.injected.has_value());
    EXPECT_TRUE(t.d().alive());
}

TEST(Exits, MsrReadsAndNonCanonicalWrites)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::RCX, 0x1b);
    handle_exit(t.d(), v, exit_of(Exit_reason::MSR_READ));
    EXPECT_EQ(v.reg(Reg::RAX), 0xfee00900u);
    v.reg(Reg::RCX, 0xc0011029); // unknown: reads 0
    handle_exit(t.d(), v, exit_of(Exit_reason::MSR_READ));
    EXPECT_EQ(v.reg(Reg::RAX) | v.reg(Reg::RDX), 0u);
    v.reg(Reg::RCX, 0xc0000100); // FS_BASE, non-canonical
    v.reg(Reg::RAX, 0);
    v.reg(Reg::RDX, 0x80000000);
    handle_exit(t.d(), v, exit_of(Exit_reason::MSR_WRITE));
    ASSERT_TRUE(v.injected.has_value());
    EXPECT_EQ(v.injected->vector, 13);
    EXPECT_TRUE(v.msrs.empty());
    v.injected.reset();
    v.reg(Reg::RDX, 0x1234);
    handle_exit(t.d(), v, exit_of(Exit_reason::MSR_WRITE));
    EXPECT_FALSE(v.injected.has_value());
    EXPECT_EQ(v.msrs[0xc0000100], 0x123400000000ull);
}

TEST(Exits, NestedPageFaultDestroysOnlyThatDomain)
{
    Test_domain rogue{2 * MiB, {}, "rogue"};
    Test_domain other{2 * MiB, {}, "other"};
    Fake_vcpu v;
    v.reg(Reg::RIP, 0x1007d3);
    Exit e = exit_of(Exit_reason::NESTED_PAGE_FAULT);
    e.npf.gpa = 0x4000000;
    e.npf.read = true;
    log_text().clear();
    EXPECT_EQ(handle_exit(rogue.d(), v, e), After::DESCHEDULE);
    EXPECT_FALSE(rogue.d().alive());
    EXPECT_TRUE(rogue.d().destroyed);
    EXPECT_TRUE(other.d().alive());
    EXPECT_NE(log_text().find("'rogue' destroyed: nested page fault: read access to GPA 0x4000000 "
                              "outside its memory at RIP 0x1007d3"),
              std::string::npos)
        << log_text();
}

TEST(Exits, HltBlocksOrEnds)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::RFLAGS, 0x202);
    EXPECT_EQ(handle_exit(t.d(), v, exit_of(Exit_reason::HLT)), After::DESCHEDULE);
    EXPECT_EQ(t.d().state, Domain_state::BLOCKED);
    t.d().state = Domain_state::RUNNABLE;
    v.reg(Reg::RFLAGS, 0x2);
    EXPECT_EQ(handle_exit(t.d(), v, exit_of(Exit_reason::HLT)), After::DESCHEDULE);
    EXPECT_FALSE(t.d().alive());
}

hv::arch::Io_exit io(uint16_t port, uint8_t bytes, bool in, bool string, bool rep)
{
    return {port, bytes, in, string, rep};
}

TEST(PortIo, RepOutsbToTheDebugPortReachesTheConsole)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::CR0, 0x11);
    std::memcpy(t.ram(0x4000), "early\n", 6);
    v.reg(Reg::RSI, 0x4000);
    v.reg(Reg::RCX, 6);
    ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0xe9, 1, false, true, true)));
    EXPECT_EQ(console(t), "early\n");
    EXPECT_EQ(v.reg(Reg::RSI), 0x4006u);
    EXPECT_EQ(v.reg(Reg::RCX), 0u);
    EXPECT_EQ(v.skips, 1);
}

TEST(PortIo, LongRepsResumeAndBadBuffersFail)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::CR0, 0x11);
    v.reg(Reg::RDI, 0x10000);
    v.reg(Reg::RCX, 5000);
    ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0x80, 1, true, true, true)));
    EXPECT_EQ(v.reg(Reg::RCX), 5000u - 4096u); // the rest at the next entry
    EXPECT_EQ(v.skips, 0);
    EXPECT_EQ(t.ram(0x10000)[4095], 0xff);
    EXPECT_EQ(t.ram(0x10000)[4096], 0);
    ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0x80, 1, true, true, true)));
    EXPECT_EQ(v.reg(Reg::RCX), 0u);
    EXPECT_EQ(v.skips, 1);

    v.reg(Reg::RSI, 2 * MiB - 2);
    v.reg(Reg::RCX, 4);
    EXPECT_FALSE(hv::kernel::emulate_port_io(t.d(), v, io(0xe9, 1, false, true, true)));
    v.reg(Reg::RSI, 0x1000);
    v.reg(Reg::RFLAGS, 0x402); // DF
    EXPECT_FALSE(hv::kernel::emulate_port_io(t.d(), v, io(0xe9, 1, false, true, true)));
}

TEST(PortIo, InReadsAllOnesOfItsWidth)
{
    Test_domain t{2 * MiB};
    Fake_vcpu v;
    v.reg(Reg::RAX, 0xaaaaaaaa12345678ull);
    ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0x61, 1, true, false, false)));
    EXPECT_EQ(v.reg(Reg::RAX), 0xaaaaaaaa123456ffull);
    ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0xcfc, 2, true, false, false)));
    EXPECT_EQ(v.reg(Reg::RAX), 0xaaaaaaaa1234ffffull);
    ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0xcfc, 4, true, false, false)));
    EXPECT_EQ(v.reg(Reg::RAX), 0xffffffffull); // 32-bit IN zero-extends
}

// Long mode, CPL 0, VA = PA through one 2 MiB page; `code` at GPA 0x3010, RIP just after an
// OUT that ended at 0x300f (the fake's skip_instruction() leaves RIP where the test put it).
Fake_vcpu after_out(Test_domain &t, std::initializer_list<uint8_t> code, uint64_t rip = 0x3010)
{
    auto put = [&](uint64_t gpa, uint64_t value) { std::memcpy(t.ram(gpa), &value, 8); };
    put(0x10000, 0x11000 | 3);
    put(0x11000, 0x12000 | 3);
    put(0x12000, 0x83); // 2 MiB page at 0
    std::copy(code.begin(), code.end(), t.ram(rip));
    Fake_vcpu v;
    v.guest_mode = Guest_mode::LONG64;
    v.reg(Reg::CR0, 0x80000011);
    v.reg(Reg::EFER, 0x500);
    v.reg(Reg::CR3, 0x10000);
    v.reg(Reg::RFLAGS, 0x202);
    v.reg(Reg::DR7, 0x400);
    v.reg(Reg::RIP, rip);
    v.reg(Reg::RAX, 0x80000000);
    v.reg(Reg::RDX, 0xffffffff00000cf8ull);
    return v;
}

TEST(PortIo, MovEdxInAfterAnOutIsCarriedOutInTheSameExit)
{
    Test_domain t{4 * MiB};
    Fake_vcpu v = after_out(t, {0xba, 0xfc, 0x0c, 0x00, 0x00, 0xed}); // mov $0xcfc,%edx; in
    ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0xcf8, 4, false, false, false)));
    EXPECT_EQ(v.reg(Reg::RIP), 0x3016u);
    EXPECT_EQ(v.reg(Reg::RDX), 0xcfcu); // zero-extended
    EXPECT_EQ(v.reg(Reg::RAX), 0xffffffffu);
    EXPECT_EQ(t.d().stats.detail.io_fused, 1u);

    // IN %dx,%al from PIT channel 2 reads 0 there too, and keeps the rest of RAX.
    Test_domain t2{4 * MiB};
    Fake_vcpu w = after_out(t2, {0xba, 0x42, 0x00, 0x00, 0x00, 0xec});
    w.reg(Reg::RAX, 0x12345678);
    ASSERT_TRUE(hv::kernel::emulate_port_io(t2.d(), w, io(0x43, 1, false, false, false)));
    EXPECT_EQ(w.reg(Reg::RIP), 0x3016u);
    EXPECT_EQ(w.reg(Reg::RAX), 0x12345600u);
}

TEST(PortIo, AnythingElseAfterAnOutExitsAsUsual)
{
    auto untouched = [](Test_domain &t, Fake_vcpu &v, uint64_t rip) {
        ASSERT_TRUE(hv::kernel::emulate_port_io(t.d(), v, io(0xcf8, 4, false, false, false)));
        EXPECT_EQ(v.reg(Reg::RIP), rip);
        EXPECT_EQ(v.reg(Reg::RDX), 0xffffffff00000cf8ull);
        EXPECT_EQ(v.reg(Reg::RAX), 0x80000000u);
        EXPECT_EQ(t.d().stats.detail.io_fused, 0u);
    };
    std::initializer_list<uint8_t> const pair = {0xba, 0xfc, 0x0c, 0x00, 0x00, 0xed};
    {
        Test_domain t{4 * MiB}; // another instruction: mov $0xcfc,%edx; in %dx,%ax
        Fake_vcpu v = after_out(t, {0xba, 0xfc, 0x0c, 0x00, 0x00, 0x66, 0xed});
        untouched(t, v, 0x3010);
    }
    {
        Test_domain t{4 * MiB}; // single-stepping
        Fake_vcpu v = after_out(t, pair);
        v.reg(Reg::RFLAGS, 0x302);
        untouched(t, v, 0x3010);
    }
    {
        Test_domain t{4 * MiB}; // a debug breakpoint enabled
        Fake_vcpu v = after_out(t, pair);
        v.reg(Reg::DR7, 0x401);
        untouched(t, v, 0x3010);
    }
    {
        Test_domain t{4 * MiB}; // user mode: the I/O permission bitmap would decide
        Fake_vcpu v = after_out(t, pair);
        v.current_cpl = 3;
        untouched(t, v, 0x3010);
    }
    {
        Test_domain t{4 * MiB}; // 32-bit code
        Fake_vcpu v = after_out(t, pair);
        v.guest_mode = Guest_mode::PROT32;
        untouched(t, v, 0x3010);
    }
    {
        Test_domain t{4 * MiB}; // the bytes run onto the next page
        Fake_vcpu v = after_out(t, pair, 0x3ffc);
        untouched(t, v, 0x3ffc);
    }
    {
        Test_domain t{4 * MiB}; // the OUT ended on the previous page
        Fake_vcpu v = after_out(t, pair, 0x4000);
        untouched(t, v, 0x4000);
    }
    {
        Test_domain t{4 * MiB}; // code the guest's tables do not map
        Fake_vcpu v = after_out(t, pair);
        v.reg(Reg::RIP, 0x40003010);
        untouched(t, v, 0x40003010);
    }
}

} // namespace
