// SPDX-License-Identifier: MIT
// Measured launch into a real vTPM: the builder extends the launch measurement into a freshly
// reset instance; tpm2_eventlog replays the event log to the PCR values the vTPM reports, and
// verifies each PCR 8 event's digest against its data. `ward measure` is stable across runs and
// folders.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <sstream>

#include "builder/measured_launch.hpp"
#include "hv/vplatform/acpi_tables.hpp"
#include "hv/vplatform/acpi_tpm2.hpp"
#include "tpm_test_support.hpp"
#include "vtpm/atomic_file.hpp"

using namespace dom::vtpm;
using namespace ward_test;

namespace
{

void write_domain(std::string const &dir, std::string const &name)
{
    ASSERT_TRUE(make_dir(dir));
    std::string kernel(300000, '\0'), initrd(120000, '\0');
    for (std::size_t i = 0; i < kernel.size(); ++i)
        kernel[i] = static_cast<char>(i * 7 + i / 251);
    for (std::size_t i = 0; i < initrd.size(); ++i)
        initrd[i] = static_cast<char>(i * 13 + 5);
    ASSERT_TRUE(write_atomic(dir + "/vmlinuz", kernel));
    ASSERT_TRUE(write_atomic(dir + "/initrd.img", initrd));
    ASSERT_TRUE(write_atomic(dir + "/domain.cfg", "# test domain\nname = " + name +
                                                      "\nlabel = work\nkernel = vmlinuz\n"
                                                      "initramfs = initrd.img\n"
                                                      "cmdline = console=hvc0 root=/dev/xvda1 "
                                                      "quiet\nmemory = 512\nvcpus = 2\n"));
}

// PCR values from the "pcrs:" section of tpm2_eventlog's output.
std::map<unsigned, std::string> eventlog_pcrs(std::string const &out)
{
    std::map<unsigned, std::string> pcrs;
    std::istringstream in(out.substr(out.find("pcrs:")));
    std::string line;
    while (std::getline(in, line)) {
        auto const colon = line.find(':'), hex = line.find("0x");
        if (colon == std::string::npos || hex == std::string::npos)
            continue;
        std::string v = line.substr(hex + 2, 64);
        for (auto &c : v)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        pcrs[static_cast<unsigned>(std::stoul(line.substr(0, colon)))] = v;
    }
    return pcrs;
}

class Builder_launch : public ::testing::Test
{
  protected:
    // The builder measures the domain write_domain() makes in tmp_/dom; a platform swtpm and a
    // manager give it a vTPM instance, created and started fresh (reset) for that measurement.
    void launch_domain()
    {
        auto &platform = platform_.emplace(tmp_.path() + "/platform", tmp_.path() + "/root");
        ASSERT_TRUE(platform.tpm.ok());
        write_domain(tmp_.path() + "/dom", "work");
        auto const in = dom::builder::load_inputs(tmp_.path() + "/dom/domain.cfg");
        ASSERT_TRUE(in) << in.error().message;
        m_ = dom::builder::measure(*in);
        mgr_ = platform.open();
        ASSERT_TRUE(mgr_);
        id_ = {"work", "work", to_hex(m_.measurement)};
        vtpm_ = create_started(*mgr_, id_);
        ASSERT_TRUE(vtpm_);
    }

    Temp_dir tmp_;
    std::optional<Platform> platform_;
    dom::builder::Launch_measurement m_;
    std::unique_ptr<Manager> mgr_;
    Domain_identity id_;
    std::optional<Started_instance> vtpm_;
};

TEST_F(Builder_launch, MeasurementExtendedIntoTheVtpmReplaysWithTpm2Eventlog)
{
    ASSERT_NO_FATAL_FAILURE(launch_domain());
    auto const &m = m_;
    auto const &[inst, ep] = *vtpm_;
    {
        auto vtpm = Tpm_client::connect(ep.tcti());
        ASSERT_TRUE(vtpm) << vtpm.error().message;
        auto const log = dom::builder::extend_launch(m, *vtpm);
        ASSERT_TRUE(log) << log.error().message;
        ASSERT_TRUE(write_atomic(tmp_.path() + "/eventlog", *log));
        // A second launch measurement on the same power cycle is refused.
        auto const again = dom::builder::extend_launch(m, *vtpm);
        ASSERT_FALSE(again);
        EXPECT_EQ(again.error().code, Errc::BAD_STATE);
    }
    auto const ev = sh("tpm2_eventlog " + tmp_.path() + "/eventlog");
    ASSERT_EQ(ev.status, 0) << ev.out;
    EXPECT_EQ(ev.out.find("WARN"), std::string::npos) << ev.out;
    auto const replayed = eventlog_pcrs(ev.out);
    ASSERT_EQ(replayed.size(), 2u) << ev.out;
    for (unsigned const pcr : {8u, 9u}) {
        auto const actual = pcr_hex(ep.tcti(), pcr);
        EXPECT_EQ(replayed.at(pcr), actual) << "PCR " << pcr;
        EXPECT_EQ(to_hex(m.pcrs.at(pcr)), actual) << "PCR " << pcr;
        EXPECT_NE(actual, std::string(64, '0'));
    }

    // A stop and resume keeps the measured PCRs; only a reset clears them for a new launch.
    ASSERT_TRUE(mgr_->stop(inst.uuid));
    auto const resumed = mgr_->start(inst.uuid, id_, Start_mode::RESUME);
    ASSERT_TRUE(resumed);
    EXPECT_EQ(pcr_hex(resumed->tcti(), 9), to_hex(m.pcrs.at(9)));

    // A tampered log no longer verifies.
    auto bytes = read_file(tmp_.path() + "/eventlog");
    ASSERT_TRUE(bytes);
    std::string s(bytes->begin(), bytes->end());
    s[s.find("console")] = 'C';
    ASSERT_TRUE(write_atomic(tmp_.path() + "/eventlog.bad", s));
    EXPECT_NE(sh("tpm2_eventlog " + tmp_.path() + "/eventlog.bad").out.find("does not match"),
              std::string::npos);
}

std::uint64_t le(Bytes const &b, std::size_t at, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v |= std::uint64_t{b.at(at + static_cast<std::size_t>(i))} << (8 * i);
    return v;
}

// The domain's low memory as the builder leaves it: ACPI tables in the reserved window at
// 0xE0000 (hypervisor/kernel boot_extras.hpp) and the event log at 0xF0000 in the same window.
// The test then finds the log the way Linux's tpm_read_log_acpi does: RSDP -> XSDT -> "TPM2"
// -> LASA/LAML, and replays what it finds with tpm2_eventlog against the vTPM's PCRs.
TEST_F(Builder_launch, EventLogFoundThroughTheAcpiTpm2TableReplaysToTheVtpm)
{
    constexpr std::uint64_t ACPI_GPA = 0xe0000, LOG_GPA = 0xf0000;
    ASSERT_NO_FATAL_FAILURE(launch_domain());
    auto const &m = m_;
    auto const &ep = vtpm_->ep;
    auto vtpm = Tpm_client::connect(ep.tcti());
    ASSERT_TRUE(vtpm) << vtpm.error().message;
    auto const log = dom::builder::extend_launch(m, *vtpm);
    ASSERT_TRUE(log) << log.error().message;

    Bytes memory(0x100000, 0);
    ASSERT_LE(log->size(), 0x10000u);
    std::copy(log->begin(), log->end(), memory.begin() + LOG_GPA);
    hv::vplatform::Acpi_config cfg;
    cfg.base_gpa = ACPI_GPA;
    cfg.tpm2_log_gpa = LOG_GPA;
    cfg.tpm2_log_length = static_cast<std::uint32_t>(log->size());
    std::vector<std::byte> tables(hv::vplatform::acpi_tables_size(cfg));
    auto const layout = hv::vplatform::build_acpi_tables(tables, cfg);
    ASSERT_TRUE(layout);
    ASSERT_LE(ACPI_GPA + layout->size, LOG_GPA);
    std::memcpy(memory.data() + ACPI_GPA, tables.data(), layout->size);

    // The guest's walk.
    auto const rsdp = layout->rsdp_gpa;
    ASSERT_EQ(std::string(memory.begin() + static_cast<long>(rsdp),
                          memory.begin() + static_cast<long>(rsdp) + 8),
              "RSD PTR ");
    auto const xsdt = le(memory, rsdp + 24, 8);
    auto const entries = (le(memory, xsdt + 4, 4) - 36) / 8;
    std::uint64_t tpm2 = 0;
    for (std::uint64_t i = 0; i < entries; ++i) {
        auto const t = le(memory, xsdt + 36 + 8 * i, 8);
        if (std::string(memory.begin() + static_cast<long>(t),
                        memory.begin() + static_cast<long>(t) + 4) == "TPM2")
            tpm2 = t;
    }
    ASSERT_NE(tpm2, 0u) << "no TPM2 table in the XSDT";
    ASSERT_GE(le(memory, tpm2 + 4, 4), 76u);
    std::uint8_t sum = 0;
    for (std::size_t i = 0; i < 76; ++i)
        sum = static_cast<std::uint8_t>(sum + memory[tpm2 + i]);
    EXPECT_EQ(sum, 0);
    auto const laml = le(memory, tpm2 + 64, 4), lasa = le(memory, tpm2 + 68, 8);
    ASSERT_EQ(laml, log->size());
    ASSERT_LE(lasa + laml, memory.size());
    Bytes const found(memory.begin() + static_cast<long>(lasa),
                      memory.begin() + static_cast<long>(lasa + laml));
    ASSERT_TRUE(write_atomic(tmp_.path() + "/found", found));

    auto const ev = sh("tpm2_eventlog " + tmp_.path() + "/found");
    ASSERT_EQ(ev.status, 0) << ev.out;
    EXPECT_EQ(ev.out.find("WARN"), std::string::npos) << ev.out;
    auto const replayed = eventlog_pcrs(ev.out);
    ASSERT_EQ(replayed.size(), 2u) << ev.out;
    for (unsigned const pcr : {8u, 9u})
        EXPECT_EQ(replayed.at(pcr), pcr_hex(ep.tcti(), pcr)) << "PCR " << pcr;

    // ACPICA's disassembler reads the table as a TPM2 table with our log area.
    Bytes const table(memory.begin() + static_cast<long>(tpm2),
                      memory.begin() + static_cast<long>(tpm2) + 76);
    ASSERT_TRUE(write_atomic(tmp_.path() + "/tpm2.dat", table));
    auto const dis = sh("cd " + tmp_.path() + " && iasl -d tpm2.dat >/dev/null && cat tpm2.dsl");
    ASSERT_EQ(dis.status, 0) << dis.out;
    EXPECT_EQ(dis.out.find("Incorrect checksum"), std::string::npos) << dis.out;
    EXPECT_NE(dis.out.find("Trusted Platform Module"), std::string::npos) << dis.out;
    EXPECT_NE(dis.out.find("00000000000F0000"), std::string::npos) << dis.out; // LASA
}

TEST_F(Builder_launch, WardMeasureIsIdenticalAcrossRunsFoldersAndNames)
{
    write_domain(tmp_.path() + "/one", "work");
    write_domain(tmp_.path() + "/two", "work-copy");
    std::string const ward = binary_dir() + "/domains/builder/ward";
    auto const a = sh(ward + " measure " + tmp_.path() + "/one/domain.cfg");
    auto const b = sh(ward + " measure " + tmp_.path() + "/one/domain.cfg");
    auto const c = sh("cd " + tmp_.path() + "/two && " + ward + " measure domain.cfg");
    ASSERT_EQ(a.status, 0) << a.out;
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(a.out, c.out);
    EXPECT_EQ(a.out.rfind("measurement ", 0), 0u);
    // Changing what is launched changes the measurement.
    ASSERT_EQ(sh("echo x >> " + tmp_.path() + "/two/initrd.img").status, 0);
    auto const d = sh(ward + " measure " + tmp_.path() + "/two/domain.cfg");
    EXPECT_NE(a.out.substr(0, 76), d.out.substr(0, 76));
    // Bad input: a clear error, non-zero exit.
    ASSERT_TRUE(write_atomic(tmp_.path() + "/bad.cfg", std::string("name = x\ndomid = 7\n")));
    auto const e = sh(ward + " measure " + tmp_.path() + "/bad.cfg");
    EXPECT_EQ(e.status, 1);
    EXPECT_NE(e.out.find("unknown key 'domid'"), std::string::npos) << e.out;
}

} // namespace
