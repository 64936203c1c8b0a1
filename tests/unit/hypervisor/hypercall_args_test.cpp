// SPDX-License-Identifier: MIT
#include "hv/hypercall_args.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "fakes/elf_builder.hpp"

using namespace hv::xen;
using hv_test::as_span;
using hv_test::Bytes;
using hv_test::get;
using hv_test::le_bytes;
using hv_test::put;

namespace
{

Hypercall_args args64(uint64_t nr, uint64_t a0, uint64_t a1 = 0, uint64_t a2 = 0)
{
    return decode_hypercall({nr, 0, 0, a2, a1, a0, 0, 0}, true);
}

TEST(HypercallArgs, RegisterConventions)
{
    Guest_regs const r{0x100000012ull, 0xb1, 0xc1, 0xd1, 0x51, 0xd0, 0x80, 0x10};
    auto const l = decode_hypercall(r, true);
    EXPECT_EQ(l.nr, 0x100000012ull); // an out-of-range number stays out of range: ENOSYS later
    EXPECT_EQ(l.arg, (std::array<uint64_t, 5>{0xd0, 0x51, 0xd1, 0x10, 0x80}));
    EXPECT_TRUE(l.long_mode);
    Guest_regs const r32{
        0xffffffff00000012ull, 0xaaaaaaaa000000b1ull, 0xc1, 0xd1, 0x51, 0xd0, 0x80, 0x10};
    auto const p = decode_hypercall(r32, false);
    EXPECT_EQ(p.nr, 18u);
    EXPECT_EQ(p.arg, (std::array<uint64_t, 5>{0xb1, 0xc1, 0xd1, 0x51, 0xd0}));
    EXPECT_STREQ(hypercall_name(18), "console_io");
    EXPECT_STREQ(hypercall_name(29), "sched_op");
    EXPECT_EQ(hypercall_name(1000), nullptr);
    EXPECT_EQ(error_rax(Errno::XEN_ENOSYS), static_cast<uint64_t>(-38));
    EXPECT_EQ(static_cast<int>(Errno::XEN_EFAULT), 14);
    EXPECT_EQ(static_cast<int>(Hypercall::EVENT_CHANNEL_OP), 32);
    EXPECT_EQ(static_cast<int>(Hypercall::DOMCTL), 36);
}

TEST(HypercallArgs, GuestBuffers)
{
    std::array<Gpa_region, 2> const ram{{{0, 0xa0000}, {0x100000, 0x1f00000}}};
    EXPECT_TRUE(check_guest_buffer(0x1000, 0x100, ram).has_value());
    EXPECT_TRUE(check_guest_buffer(0x9ff00, 0x100, ram).has_value());
    EXPECT_EQ(check_guest_buffer(0x9ff00, 0x101, ram).error(), Errno::XEN_EFAULT);
    EXPECT_EQ(check_guest_buffer(0xa0000, 1, ram).error(), Errno::XEN_EFAULT);       // in the hole
    EXPECT_EQ(check_guest_buffer(0x9f000, 0x70000, ram).error(), Errno::XEN_EFAULT); // spans it
    EXPECT_EQ(check_guest_buffer(~0ull - 4, 10, ram).error(), Errno::XEN_EFAULT);
    EXPECT_EQ(check_guest_buffer(0x100000, 0x1f00001, ram).error(), Errno::XEN_EFAULT);
    EXPECT_TRUE(check_guest_buffer(~0ull, 0, ram).has_value());
}

TEST(HypercallArgs, ConsoleIo)
{
    auto const w = decode_console_io(args64(18, CONSOLEIO_WRITE, 12, 0x5000));
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->buffer, 0x5000u);
    EXPECT_EQ(w->count, 12u);
    EXPECT_EQ(decode_console_io(args64(18, CONSOLEIO_READ, 12, 0x5000)).error(), Errno::XEN_EPERM);
    EXPECT_EQ(decode_console_io(args64(18, 7, 12, 0x5000)).error(), Errno::XEN_ENOSYS);
    EXPECT_EQ(decode_console_io(args64(18, CONSOLEIO_WRITE, CONSOLE_WRITE_MAX + 1, 0)).error(),
              Errno::XEN_E2BIG);
    // The count is an unsigned int: the upper half of the register is ignored, as in Xen.
    EXPECT_EQ(decode_console_io(args64(18, 0x100000000ull, 0x100000005ull, 0))->count, 5u);
}

TEST(HypercallArgs, SchedOp)
{
    EXPECT_EQ(decode_sched_op(args64(29, 0))->cmd, Sched_cmd::YIELD);
    EXPECT_EQ(decode_sched_op(args64(29, 1))->cmd, Sched_cmd::BLOCK);
    auto const s = decode_sched_op(args64(29, 2, 0x7000));
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->cmd, Sched_cmd::SHUTDOWN);
    EXPECT_EQ(s->arg, 0x7000u);
    for (uint64_t cmd : {3u, 4u, 5u, 6u, 7u, 8u, 1000u})
        EXPECT_EQ(decode_sched_op(args64(29, cmd)).error(), Errno::XEN_ENOSYS) << cmd;
    EXPECT_EQ(*parse_sched_shutdown(as_span(le_bytes(3, 4))), Shutdown_reason::CRASH);
    EXPECT_EQ(*parse_sched_shutdown(as_span(le_bytes(0, 4))), Shutdown_reason::POWEROFF);
    EXPECT_EQ(parse_sched_shutdown(as_span(le_bytes(6, 4))).error(), Errno::XEN_EINVAL);
    EXPECT_EQ(parse_sched_shutdown(as_span(le_bytes(0, 3))).error(), Errno::XEN_EFAULT);
    EXPECT_STREQ(shutdown_reason_name(Shutdown_reason::CRASH), "crash");
}

TEST(HypercallArgs, XenVersion)
{
    struct Case
    {
        Xenver cmd;
        uint32_t size64, size32;
    };
    for (Case const c :
         {Case{Xenver::VERSION, 0, 0}, Case{Xenver::EXTRAVERSION, 16, 16},
          Case{Xenver::COMPILE_INFO, 144, 144}, Case{Xenver::CAPABILITIES, 1024, 1024},
          Case{Xenver::CHANGESET, 64, 64}, Case{Xenver::PLATFORM_PARAMETERS, 8, 4},
          Case{Xenver::GET_FEATURES, 8, 8}, Case{Xenver::PAGESIZE, 0, 0},
          Case{Xenver::GUEST_HANDLE, 16, 16}, Case{Xenver::COMMANDLINE, 1024, 1024}}) {
        auto const op = decode_xen_version(args64(17, static_cast<uint32_t>(c.cmd), 0x9000));
        ASSERT_TRUE(op.has_value());
        EXPECT_EQ(op->cmd, c.cmd);
        EXPECT_EQ(op->arg, 0x9000u);
        EXPECT_EQ(op->out_size, c.size64);
        auto const op32 = decode_xen_version(
            decode_hypercall({17, static_cast<uint32_t>(c.cmd), 0x9000, 0, 0, 0, 0, 0}, false));
        EXPECT_EQ(op32->out_size, c.size32);
    }
    EXPECT_EQ(decode_xen_version(args64(17, 10)).error(), Errno::XEN_ENOSYS);
    EXPECT_EQ(xen_version_rax(4, 17), 0x40011u);
}

TEST(HypercallArgs, MemoryMap)
{
    auto const op = decode_memory_op(args64(12, XENMEM_MEMORY_MAP, 0x3000));
    ASSERT_TRUE(op.has_value());
    EXPECT_EQ(op->cmd, XENMEM_MEMORY_MAP);
    EXPECT_EQ(op->arg, 0x3000u);
    EXPECT_EQ(decode_memory_op(args64(12, XENMEM_ADD_TO_PHYSMAP, 0))->cmd, XENMEM_ADD_TO_PHYSMAP);
    EXPECT_EQ(decode_memory_op(args64(12, 1)).error(), Errno::XEN_ENOSYS);
    EXPECT_EQ(decode_memory_op(args64(12, XENMEM_MEMORY_MAP | (5 << 6))).error(),
              Errno::XEN_EINVAL);

    Bytes req64(16);
    put(req64, 0, 8, 4);
    put(req64, 8, 0x123456789ull, 8);
    auto const r = parse_memory_map_request(as_span(req64), true);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->nr_entries, 8u);
    EXPECT_EQ(r->buffer, 0x123456789ull);
    EXPECT_EQ(parse_memory_map_request(std::span(req64.data(), 15), true).error(),
              Errno::XEN_EFAULT);
    Bytes req32(8);
    put(req32, 0, 2, 4);
    put(req32, 4, 0x8000, 4);
    EXPECT_EQ(parse_memory_map_request(as_span(req32), false)->buffer, 0x8000u);

    std::array<E820_entry, 3> const map{{{0, 0x9fc00, E820_RAM},
                                         {0xf0000, 0x10000, E820_RESERVED},
                                         {0x100000, 0x1f00000, E820_RAM}}};
    Bytes out(3 * E820_ENTRY_SIZE);
    auto const n = encode_e820(map, 8, out);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(*n, 3u);
    EXPECT_EQ(get(out, 20, 8), 0xf0000u);
    EXPECT_EQ(get(out, 28, 8), 0x10000u);
    EXPECT_EQ(get(out, 36, 4), E820_RESERVED);
    EXPECT_EQ(get(out, 56, 4), E820_RAM);
    Bytes two(2 * E820_ENTRY_SIZE);
    EXPECT_EQ(*encode_e820(map, 2, two), 2u); // truncated to what the guest asked for
    EXPECT_EQ(encode_e820(map, 3, two).error(), Errno::XEN_EFAULT);
    EXPECT_EQ(*encode_e820(map, 0, std::span<std::byte>{}), 0u);
}

TEST(HypercallArgs, DomctlNeedsTheRightCapability)
{
    Bytes d(DOMCTL_HEADER_SIZE);
    put(d, 0, 2, 4);
    put(d, 4, DOMCTL_INTERFACE_VERSION, 4);
    put(d, 8, 7, 2);
    auto const h = parse_domctl_header(as_span(d));
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->cmd, 2u);
    EXPECT_EQ(h->domain, 7u);
    put(d, 4, 0x14, 4);
    EXPECT_EQ(parse_domctl_header(as_span(d)).error(), Errno::XEN_EACCES);
    put(d, 4, DOMCTL_INTERFACE_VERSION, 4);
    put(d, 0, 99, 4);
    EXPECT_EQ(parse_domctl_header(as_span(d)).error(), Errno::XEN_ENOSYS);
    EXPECT_EQ(parse_domctl_header(std::span(d.data(), 8)).error(), Errno::XEN_EFAULT);
    EXPECT_EQ(*domctl_capability(1), hv::Cap::DOMAIN_CREATE);
    EXPECT_EQ(*domctl_capability(2), hv::Cap::DOMAIN_CONTROL);
    EXPECT_EQ(*domctl_capability(3), hv::Cap::DOMAIN_CONTROL);
    EXPECT_EQ(*domctl_capability(4), hv::Cap::DOMAIN_CONTROL);
    EXPECT_EQ(*domctl_capability(5), hv::Cap::DOMAIN_INFO);
    EXPECT_EQ(domctl_capability(0).error(), Errno::XEN_ENOSYS);
}

} // namespace
