// SPDX-License-Identifier: MIT
#include "hv/module_cmdline.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "hv/hv_options.hpp"

using hv::Cap;
using hv::Cmdline_error;

namespace
{

std::span<char const> sv(std::string_view s)
{
    return {s.data(), s.size()};
}

std::string str(std::span<char const> s)
{
    return {s.data(), s.size()};
}

hv::Cmdline_failure failure(std::string_view s)
{
    auto const r = hv::parse_module_cmdline(sv(s));
    EXPECT_FALSE(r.has_value()) << s;
    return r ? hv::Cmdline_failure{Cmdline_error::EMPTY, 999} : r.error();
}

Cmdline_error error(std::string_view s)
{
    return failure(s).reason;
}

TEST(ModuleCmdline, ParsesTheDocumentedExample)
{
    auto const m = hv::parse_module_cmdline(
        sv("name=personal label=personal_t mem=32M caps=console,create vcpus=1 type=pvh"));
    ASSERT_TRUE(m.has_value()) << hv::error_name(m.error().reason);
    EXPECT_EQ(m->role, hv::Module_role::DOMAIN);
    EXPECT_STREQ(m->domain.name.c_str(), "personal");
    EXPECT_STREQ(m->domain.label.c_str(), "personal_t");
    EXPECT_EQ(m->domain.mem_bytes, 32ull << 20);
    EXPECT_TRUE(m->domain.caps.has(Cap::CONSOLE_READ_OTHERS));
    EXPECT_TRUE(m->domain.caps.has(Cap::DOMAIN_CREATE));
    EXPECT_FALSE(m->domain.caps.has(Cap::DOMAIN_CONTROL));
    EXPECT_EQ(m->domain.vcpus, 1u);
    EXPECT_EQ(m->domain.type, hv::Domain_type::PVH);
    EXPECT_TRUE(m->domain.guest_cmdline.empty());
}

TEST(ModuleCmdline, DefaultsAndGuestCommandLine)
{
    std::string_view const text = "\tname=web-1   mem=4096K -- console=hvc0  root=/dev/ram0 ";
    auto const m = hv::parse_module_cmdline(sv(text));
    ASSERT_TRUE(m.has_value()) << hv::error_name(m.error().reason);
    EXPECT_STREQ(m->domain.label.c_str(), "web-1"); // label defaults to the name
    EXPECT_EQ(m->domain.mem_bytes, 4ull << 20);
    EXPECT_TRUE(m->domain.caps.empty());
    EXPECT_EQ(m->domain.vcpus, 1u);
    EXPECT_EQ(str(m->domain.guest_cmdline), "console=hvc0  root=/dev/ram0 ");
    EXPECT_EQ(m->domain.guest_cmdline.data(), text.data() + 27); // points into the input

    auto const all = hv::parse_module_cmdline(
        sv("caps=console,create,control,info,policy,store mem=1g name=admin label=sys:admin_t"));
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->domain.caps.bits(), 0x3fu);
    EXPECT_EQ(all->domain.mem_bytes, 1ull << 30);
    EXPECT_TRUE(hv::parse_module_cmdline(sv("name=a mem=1048576 caps=none"))->domain.caps.empty());
}

TEST(ModuleCmdline, InitrdModules)
{
    auto const m = hv::parse_module_cmdline(sv("initrd_for=linux1"));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->role, hv::Module_role::INITRD);
    EXPECT_STREQ(m->owner.c_str(), "linux1");
    EXPECT_EQ(error("initrd_for=linux1 mem=4M"), Cmdline_error::INITRD_WITH_DOMAIN_KEYS);
    EXPECT_EQ(error("initrd_for=linux1 -- quiet"), Cmdline_error::INITRD_WITH_DOMAIN_KEYS);
    EXPECT_EQ(error("initrd_for=Linux"), Cmdline_error::BAD_NAME);
}

TEST(ModuleCmdline, RejectsBadInputWithTheColumn)
{
    EXPECT_EQ(error(""), Cmdline_error::EMPTY);
    EXPECT_EQ(error("   "), Cmdline_error::EMPTY);
    auto const f = failure("name=a mem=4M colour=blue");
    EXPECT_EQ(f.reason, Cmdline_error::UNKNOWN_KEY);
    EXPECT_EQ(f.column, 14u);
    EXPECT_EQ(failure("name=a mem=4M name=b").column, 14u);
    EXPECT_EQ(error("name=a mem=4M name=b"), Cmdline_error::DUPLICATE_KEY);
    EXPECT_EQ(error("name=a mem=4M bench"), Cmdline_error::EXPECTED_KEY_VALUE);
    EXPECT_EQ(error("name= mem=4M"), Cmdline_error::EMPTY_VALUE);
    EXPECT_EQ(error("name=a\x01 mem=4M"), Cmdline_error::BAD_CHARACTER);
    EXPECT_EQ(error("name=\xc3\xa9 mem=4M"), Cmdline_error::BAD_CHARACTER);
    EXPECT_EQ(error("name=a mem=4M -- bad\nline"), Cmdline_error::BAD_CHARACTER);
    EXPECT_EQ(error("name=1abc mem=4M"), Cmdline_error::BAD_NAME);
    EXPECT_EQ(error("name=aBc mem=4M"), Cmdline_error::BAD_NAME);
    EXPECT_EQ(error("name=a.b mem=4M"), Cmdline_error::BAD_NAME);
    EXPECT_EQ(error("name=abcdefghijklmnopqrstuvwxyz012345 mem=4M"), Cmdline_error::NAME_TOO_LONG);
    EXPECT_EQ(error("name=a label=a/b mem=4M"), Cmdline_error::BAD_LABEL);
    EXPECT_EQ(error("name=a mem=4M label=" + std::string(64, 'x')), Cmdline_error::LABEL_TOO_LONG);
    EXPECT_EQ(error("name=a mem=4T"), Cmdline_error::BAD_SIZE);
    EXPECT_EQ(error("name=a mem=M"), Cmdline_error::BAD_SIZE);
    EXPECT_EQ(error("name=a mem=-4M"), Cmdline_error::BAD_SIZE);
    EXPECT_EQ(error("name=a mem=99999999999999999999999"), Cmdline_error::BAD_SIZE);
    EXPECT_EQ(error("name=a mem=17179869184G"), Cmdline_error::BAD_SIZE); // 2^34 G wraps
    EXPECT_EQ(error("name=a mem=1000000"), Cmdline_error::SIZE_NOT_PAGE_MULTIPLE);
    EXPECT_EQ(error("name=a mem=512K"), Cmdline_error::SIZE_TOO_SMALL);
    EXPECT_EQ(error("name=a mem=2048G"), Cmdline_error::SIZE_TOO_LARGE);
    EXPECT_EQ(error("name=a mem=4M caps=console,root"), Cmdline_error::UNKNOWN_CAPABILITY);
    EXPECT_EQ(error("name=a mem=4M caps=console,"), Cmdline_error::UNKNOWN_CAPABILITY);
    EXPECT_EQ(error("name=a mem=4M caps=info,info"), Cmdline_error::DUPLICATE_CAPABILITY);
    EXPECT_EQ(error("name=a mem=4M vcpus=0"), Cmdline_error::BAD_VCPUS);
    EXPECT_EQ(error("name=a mem=4M vcpus=2"), Cmdline_error::BAD_VCPUS);
    EXPECT_EQ(error("name=a mem=4M vcpus=x"), Cmdline_error::BAD_VCPUS);
    EXPECT_EQ(error("name=a mem=4M type=hvm"), Cmdline_error::UNKNOWN_TYPE);
    EXPECT_EQ(error("name=a mem=4M service=1"), Cmdline_error::BAD_SERVICE);
    EXPECT_EQ(error("name=a mem=4M service=Yes"), Cmdline_error::BAD_SERVICE);
    EXPECT_EQ(error("name=a mem=4M service=yes service=yes"), Cmdline_error::DUPLICATE_KEY);
    EXPECT_EQ(error("initrd_for=a service=yes"), Cmdline_error::INITRD_WITH_DOMAIN_KEYS);
    EXPECT_EQ(error("mem=4M"), Cmdline_error::MISSING_NAME);
    EXPECT_EQ(error("name=a"), Cmdline_error::MISSING_MEM);
    EXPECT_EQ(error("name=a mem=4M -- " + std::string(2048, 'x')),
              Cmdline_error::GUEST_CMDLINE_TOO_LONG);
    EXPECT_STREQ(hv::error_name(Cmdline_error::UNKNOWN_KEY), "unknown key");
}

TEST(ModuleCmdline, ServiceDomains)
{
    auto const dflt = hv::parse_module_cmdline(sv("name=a mem=4M"));
    ASSERT_TRUE(dflt.has_value());
    EXPECT_FALSE(dflt->domain.service);
    auto const yes = hv::parse_module_cmdline(sv("name=store mem=4M caps=store service=yes"));
    ASSERT_TRUE(yes.has_value());
    EXPECT_TRUE(yes->domain.service);
    auto const no = hv::parse_module_cmdline(sv("name=a mem=4M service=no"));
    ASSERT_TRUE(no.has_value());
    EXPECT_FALSE(no->domain.service);
}

TEST(ModuleCmdline, SizesAndCapabilityNames)
{
    EXPECT_EQ(*hv::parse_size(sv("0")), 0u);
    EXPECT_EQ(*hv::parse_size(sv("12k")), 12u << 10);
    EXPECT_EQ(*hv::parse_size(sv("3G")), 3ull << 30);
    EXPECT_EQ(*hv::parse_size(sv("17179869183G")), 17179869183ull << 30);
    EXPECT_FALSE(hv::parse_size(sv("")).has_value());
    for (auto const &c : hv::CAPABILITIES) {
        EXPECT_EQ(hv::cap_from_name(sv(c.name)), c.cap);
        EXPECT_STREQ(hv::cap_name(c.cap), c.name);
    }
    EXPECT_FALSE(hv::cap_from_name(sv("consol")).has_value());
    EXPECT_FALSE(hv::cap_from_name(sv("consoles")).has_value());
}

TEST(HvOptions, ParsesOptionsAndSkipsTheImagePath)
{
    auto const o =
        hv::parse_hv_options(sv("/boot/ward-hv serial=com2 bench test=isolation slice_us=5000"));
    ASSERT_TRUE(o.has_value()) << hv::error_name(o.error().reason);
    EXPECT_EQ(o->serial_port, 0x2f8);
    EXPECT_TRUE(o->bench);
    EXPECT_STREQ(o->test.c_str(), "isolation");
    EXPECT_EQ(o->slice_us, 5000u);
    auto const d = hv::parse_hv_options(sv(""));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->serial_port, 0x3f8);
    EXPECT_FALSE(d->bench);
    EXPECT_EQ(d->test.length, 0u);
    EXPECT_EQ(hv::parse_hv_options(sv("serial=0x2e8"))->serial_port, 0x2e8);
    EXPECT_EQ(hv::parse_hv_options(sv("serial=none"))->serial_port, 0);
}

TEST(HvOptions, RejectsBadOptions)
{
    auto reason = [](std::string_view s) {
        auto const r = hv::parse_hv_options(sv(s));
        EXPECT_FALSE(r.has_value()) << s;
        return r ? Cmdline_error::EMPTY : r.error().reason;
    };
    EXPECT_EQ(reason("serial=com9"), Cmdline_error::BAD_NUMBER);
    EXPECT_EQ(reason("serial=0x10000"), Cmdline_error::BAD_NUMBER);
    EXPECT_EQ(reason("slice_us=10"), Cmdline_error::BAD_NUMBER);
    EXPECT_EQ(reason("slice_us=99999999999999999999"), Cmdline_error::BAD_NUMBER);
    EXPECT_EQ(reason("quiet"), Cmdline_error::UNKNOWN_OPTION);
    EXPECT_EQ(reason("bench=1"), Cmdline_error::UNKNOWN_OPTION);
    EXPECT_EQ(reason("bench bench"), Cmdline_error::DUPLICATE_KEY);
    EXPECT_EQ(reason("test=Bad"), Cmdline_error::BAD_NAME);
    EXPECT_EQ(reason("serial=com1 /boot/x"), Cmdline_error::UNKNOWN_OPTION);
    EXPECT_EQ(reason("bench -- extra"), Cmdline_error::UNKNOWN_OPTION);
    EXPECT_EQ(hv::parse_hv_options(sv("bench quiet")).error().column, 6u);
}

} // namespace
