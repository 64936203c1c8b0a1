// SPDX-License-Identifier: MIT
// The fuzz seeds (tests/fuzz/hypervisor/corpus, made by make_seeds.py) are what they claim to
// be: the valid ones parse with the expected results, the broken ones fail for their reason.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "hv/elf.hpp"
#include "hv/module_cmdline.hpp"
#include "hv/multiboot2.hpp"

namespace
{

std::vector<std::byte> seed(std::string const &rel)
{
    char const *src = std::getenv("WARD_SOURCE_DIR");
    std::string const path =
        std::string(src != nullptr ? src : ".") + "/tests/fuzz/hypervisor/corpus/" + rel;
    std::ifstream in{path, std::ios::binary};
    EXPECT_TRUE(in.good()) << path;
    std::vector<char> const chars{std::istreambuf_iterator<char>(in), {}};
    std::vector<std::byte> bytes(chars.size());
    for (size_t i = 0; i < chars.size(); ++i)
        bytes[i] = static_cast<std::byte>(chars[i]);
    return bytes;
}

uint32_t pvh(std::string const &rel)
{
    auto const f = seed(rel);
    auto const img = hv::elf::parse(f);
    if (!img) {
        ADD_FAILURE() << rel << ": " << hv::elf::error_name(img.error());
        return 0;
    }
    auto const e = hv::elf::pvh_entry(*img);
    EXPECT_TRUE(e.has_value()) << rel;
    return e.value_or(0);
}

TEST(SeedCorpus, ElfSeeds)
{
    EXPECT_EQ(pvh("elf/linux_like64.elf"), 0x1000010u);
    EXPECT_EQ(pvh("elf/guest32.elf"), 0x100000u);
    EXPECT_EQ(pvh("elf/notes_in_sections.elf"), 0x200010u);
    EXPECT_EQ(pvh("elf/aligned8_notes.elf"), 0x300000u);
    auto const trunc = seed("elf/truncated_phdrs.elf");
    EXPECT_EQ(hv::elf::parse(trunc).error(), hv::elf::Error::TRUNCATED_PROGRAM_HEADERS);
    auto const none = seed("elf/no_pvh_note.elf");
    EXPECT_EQ(hv::elf::pvh_entry(*hv::elf::parse(none)).error(), hv::elf::Error::NO_PVH_ENTRY);
}

TEST(SeedCorpus, Multiboot2AndCmdlineSeeds)
{
    auto const b = seed("multiboot2/grub_typical.bin");
    auto const info = hv::mb2::Info::parse(b);
    ASSERT_TRUE(info.has_value()) << hv::mb2::error_name(info.error());
    ASSERT_EQ(info->module_count(), 2u);
    EXPECT_EQ(info->rsdp().size(), 20u);
    auto const m = hv::parse_module_cmdline(info->module(1).cmdline);
    ASSERT_TRUE(m.has_value());
    EXPECT_STREQ(m->domain.name.c_str(), "beta");
    auto const o = seed("multiboot2/overlapping_modules.bin");
    auto const oi = hv::mb2::Info::parse(o);
    ASSERT_TRUE(oi.has_value());
    EXPECT_EQ(hv::mb2::check_module(*oi, 0, 0, 0x100000).error(),
              hv::mb2::Module_error::OVERLAPS_MODULE);
    auto const text = seed("cmdline/example.txt");
    EXPECT_TRUE(hv::parse_module_cmdline({reinterpret_cast<char const *>(text.data()), text.size()})
                    .has_value());
}

} // namespace
