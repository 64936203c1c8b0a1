// SPDX-License-Identifier: MIT
// Domain config parsing, the launch measurement and the crypto-agile event log.
#include <gtest/gtest.h>

#include "builder/measurement.hpp"

using namespace dom::builder;
using dom::vtpm::Digest;
using dom::vtpm::Errc;

namespace
{

constexpr char const *CONFIG = "# a domain\n"
                               "name = work\n"
                               "label = work\n"
                               "kernel = vmlinuz\n"
                               "initramfs = /boot/initrd.img\n"
                               "cmdline =   console=hvc0 root=/dev/xvda1 # not a comment  \n"
                               "memory = 1024\n"
                               "vcpus = 2\n"
                               "vtpm = yes\n";

// measure(inputs()) as computed when this test was written; any change to the measurement's
// layout changes it, and with it every vTPM binding in the field.
constexpr char const *GOLDEN = "a9ef4ea1ae2742d874479911ab3f1ef558075e47c464b36391c20842a9aa95d3";

Launch_inputs inputs(std::string const &text = CONFIG)
{
    Launch_inputs in{*Domain_config::parse(text), {}, Digest{}};
    in.kernel.fill(0x11);
    in.initramfs->fill(0x22);
    return in;
}

TEST(Domain_config, ParsesEveryKey)
{
    auto const c = Domain_config::parse(CONFIG);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->name, "work");
    EXPECT_EQ(c->kernel, "vmlinuz");
    EXPECT_EQ(c->initramfs, "/boot/initrd.img");
    EXPECT_EQ(c->cmdline, "console=hvc0 root=/dev/xvda1 # not a comment");
    EXPECT_EQ(c->memory_mib, 1024u);
    EXPECT_EQ(c->vcpus, 2u);
    EXPECT_TRUE(c->vtpm);
    EXPECT_EQ(c->canonical_settings(), "label=work memory=1024 vcpus=2 vtpm=yes");
}

TEST(Domain_config, RefusesBadInputWithTheLine)
{
    std::string const base = "name = w\nlabel = l\nkernel = k\nmemory = 64\n";
    EXPECT_TRUE(Domain_config::parse(base));
    struct Case
    {
        std::string text, expect;
    } const cases[] = {
        {base + "domid = 3\n", "line 5: unknown key 'domid'"},
        {base + "memory = 64\n", "given twice"},
        {base + "vcpus = 0\n", "vcpus"},
        {base + "vcpus = 65\n", "vcpus"},
        {base + "vtpm = maybe\n", "yes or no"},
        {base + "garbage\n", "line 5: expected"},
        {base + "cmdline = a\x01"
                "b\n",
         "control character"},
        {"name = w\nlabel = l\nkernel = k\nmemory = 8\n", "memory"},
        {"name = ../w\nlabel = l\nkernel = k\nmemory = 64\n", "name must be"},
        {"label = l\nkernel = k\nmemory = 64\n", "missing 'name'"},
        {"name = w\nlabel = l\nmemory = 64\n", "missing 'kernel'"},
        {"name = w\nlabel = l\nkernel = \nmemory = 64\n", "kernel needs a path"},
        {std::string(70000, '#'), "64 KiB"},
    };
    for (auto const &c : cases) {
        auto const r = Domain_config::parse(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.error().code, Errc::BAD_INPUT);
        EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    }
}

TEST(Measurement, IsAFixedFunctionOfWhatIsLaunched)
{
    auto const m = measure(inputs());
    // Golden value: the same on every run and every machine (docs/builder.md gives the layout).
    EXPECT_EQ(dom::vtpm::to_hex(m.measurement), GOLDEN);
    EXPECT_EQ(measure(inputs()).measurement, m.measurement);
    ASSERT_EQ(m.events.size(), 5u);
    EXPECT_EQ(m.events[0].pcr, PCR_STRINGS);
    EXPECT_EQ(m.events[3].pcr, PCR_FILES);
    EXPECT_EQ(m.events[2].data, std::string("ward_cmdline: console=hvc0 root=/dev/xvda1 # not a "
                                            "comment") +
                                    '\0');
    EXPECT_EQ(m.events[2].digest, dom::vtpm::sha256(dom::vtpm::to_bytes(
                                      "console=hvc0 root=/dev/xvda1 # not a comment")));
    EXPECT_EQ(m.pcrs, replay(m.events));
    EXPECT_EQ(m.pcrs.size(), 2u);
}

TEST(Measurement, NameAndPathsAreNotMeasuredEverythingElseIs)
{
    auto const base = measure(inputs()).measurement;
    std::string renamed = CONFIG;
    renamed.replace(renamed.find("name = work"), 11, "name = copy");
    renamed.replace(renamed.find("kernel = vmlinuz"), 16, "kernel = /other/vmlinuz");
    EXPECT_EQ(measure(inputs(renamed)).measurement, base);

    auto const changed = [&](std::string const &from, std::string const &to) {
        std::string t = CONFIG;
        t.replace(t.find(from), from.size(), to);
        return measure(inputs(t)).measurement;
    };
    EXPECT_NE(changed("label = work", "label = bank"), base);
    EXPECT_NE(changed("memory = 1024", "memory = 2048"), base);
    EXPECT_NE(changed("vcpus = 2", "vcpus = 1"), base);
    EXPECT_NE(changed("vtpm = yes", "vtpm = no"), base);
    EXPECT_NE(changed("root=/dev/xvda1", "root=/dev/xvda2"), base);
    auto in = inputs();
    in.kernel[0] ^= 1;
    EXPECT_NE(measure(in).measurement, base);
    in = inputs();
    in.initramfs.reset();
    EXPECT_NE(measure(in).measurement, base);
    EXPECT_EQ(measure(in).events.size(), 4u);
}

TEST(Event_log, EncodesTheSpecIdHeaderAndRoundTrips)
{
    auto const m = measure(inputs());
    auto const log = encode_event_log(m.events);
    // TCG_PCClientPCREvent header: PCR 0, EV_NO_ACTION, 20 zero bytes, size, "Spec ID Event03".
    ASSERT_GT(log.size(), 32u + 16);
    EXPECT_EQ(log[4], 3);
    EXPECT_EQ(std::string(reinterpret_cast<char const *>(&log[32]), 15), "Spec ID Event03");
    auto const events = decode_event_log(log);
    ASSERT_TRUE(events) << events.error().message;
    ASSERT_EQ(events->size(), m.events.size());
    for (std::size_t i = 0; i < events->size(); ++i) {
        EXPECT_EQ((*events)[i].pcr, m.events[i].pcr);
        EXPECT_EQ((*events)[i].digest, m.events[i].digest);
        EXPECT_EQ((*events)[i].data, m.events[i].data);
    }
    EXPECT_EQ(replay(*events), m.pcrs);
}

TEST(Event_log, DecodeRefusesTruncationAndForeignLayouts)
{
    auto const log = encode_event_log(measure(inputs()).events);
    for (std::size_t cut : {std::size_t{0}, std::size_t{10}, std::size_t{40}, log.size() - 1})
        EXPECT_FALSE(decode_event_log(std::span(log.data(), cut))) << cut;
    auto sha1 = log;
    sha1[32 + 24 + 4] = 0x04; // algorithm id in the header: SHA-1
    EXPECT_FALSE(decode_event_log(sha1));
    auto bad_pcr = log;
    bad_pcr[log.size() - 4 - 14 - 32 - 2 - 4 - 4 - 4] = 30;
    EXPECT_FALSE(decode_event_log(bad_pcr));
}

} // namespace
