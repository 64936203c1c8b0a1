// SPDX-License-Identifier: MIT
// Ward's ACPI tables disassembled by ACPICA's iasl, the reference ACPI compiler: every table must
// disassemble without errors or checksum complaints and say what we meant.
#include "hv/vplatform/acpi_tables.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace
{

namespace fs = std::filesystem;

std::string run(std::string const &cmd)
{
    std::string out;
    FILE *p = popen((cmd + " 2>&1").c_str(), "r");
    if (p == nullptr)
        return "popen failed";
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    int const status = pclose(p);
    if (status != 0)
        out += "\n[exit status " + std::to_string(status) + "]";
    return out;
}

std::string slurp(fs::path const &p)
{
    std::ifstream in{p};
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class AcpiIasl : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() / ("ward-acpi-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        buf_.resize(hv::vplatform::acpi_tables_size(2));
        auto const r = hv::vplatform::build_acpi_tables(buf_, {base_, 2});
        ASSERT_TRUE(r);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Writes the table at guest address gpa to NAME.dat, disassembles it, returns the .dsl.
    std::string disassemble(char const *name, uint64_t gpa, size_t len)
    {
        fs::path const dat = dir_ / (std::string{name} + ".dat");
        std::ofstream{dat, std::ios::binary}.write(
            reinterpret_cast<char const *>(buf_.data() + (gpa - base_)),
            static_cast<std::streamsize>(len));
        std::string const log = run("cd " + dir_.string() + " && iasl -d " + dat.string());
        EXPECT_EQ(log.find("rror"), std::string::npos) << log;
        EXPECT_EQ(log.find("[exit status"), std::string::npos) << log;
        std::string const dsl = slurp(dir_ / (std::string{name} + ".dsl"));
        EXPECT_EQ(dsl.find("Incorrect checksum"), std::string::npos) << dsl;
        EXPECT_EQ(dsl.find("Invalid"), std::string::npos) << dsl;
        return dsl;
    }
    uint64_t u64(size_t at) const
    {
        uint64_t v;
        std::memcpy(&v, buf_.data() + at, 8);
        return v;
    }
    uint32_t u32(uint64_t gpa, size_t off) const
    {
        uint32_t v;
        std::memcpy(&v, buf_.data() + (gpa - base_) + off, 4);
        return v;
    }

    fs::path dir_;
    std::vector<std::byte> buf_;
    uint64_t const base_ = 0xfc000000;
};

TEST_F(AcpiIasl, EveryTableDisassemblesCleanly)
{
    if (run("command -v iasl").find("iasl") == std::string::npos)
        GTEST_SKIP() << "iasl (acpica-tools) is not installed";
    // iasl cannot load a bare RSDP (it has no table header); acpi_tables_test checks it.
    uint64_t const xsdt = u64(24);
    std::string const x = disassemble("xsdt", xsdt, u32(xsdt, 4));
    uint64_t const fadt = u64(static_cast<size_t>(xsdt - base_) + 36);
    uint64_t const madt = u64(static_cast<size_t>(xsdt - base_) + 44);
    char entry[64];
    std::snprintf(entry, sizeof entry, "ACPI Table Address   1 : %016llX",
                  static_cast<unsigned long long>(madt));
    EXPECT_NE(x.find(entry), std::string::npos) << x;
    std::string const f = disassemble("facp", fadt, u32(fadt, 4));
    EXPECT_NE(f.find("Hardware Reduced (V5) : 1"), std::string::npos) << f;
    uint64_t dsdt = 0;
    std::memcpy(&dsdt, buf_.data() + (fadt - base_) + 140, 8);
    std::string const d = disassemble("dsdt", dsdt, u32(dsdt, 4));
    EXPECT_NE(d.find("DefinitionBlock (\"\", \"DSDT\", 2"), std::string::npos) << d;
    std::string const m = disassemble("apic", madt, u32(madt, 4));
    EXPECT_NE(m.find("Local Apic Address : FEE00000"), std::string::npos) << m;
    EXPECT_NE(m.find("Processor Enabled : 1"), std::string::npos) << m;
}

} // namespace
