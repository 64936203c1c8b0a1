// SPDX-License-Identifier: MIT
// ward-vtpm against real swtpm processes: lifecycle, tpm2-tools through an instance, restart
// with state intact, PCR-mismatch refusal, binding and corruption refusals.
#include <gtest/gtest.h>

#include <fstream>

#include "tpm_test_support.hpp"
#include "vtpm/atomic_file.hpp"
#include "vtpm/tpm_client.hpp"
#include "vtpm/tpmif.hpp"

using namespace dom::vtpm;
using namespace ward_test;

namespace
{

constexpr char const *ONES = "0101010101010101010101010101010101010101010101010101010101010101";

class Vtpm_manager : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        ASSERT_TRUE(platform_.tpm.ok()) << "could not start the platform swtpm";
        // Stand-in for a measured boot: something non-zero in the sealed PCRs.
        ASSERT_EQ(sh(std::string("tpm2_pcrextend 8:sha256=") + ONES, tcti()).status, 0);
    }

    std::unique_ptr<Manager> open() { return platform_.open(); }
    std::string const &root() const { return platform_.root; }
    std::string tcti() const { return platform_.tpm.tcti(); }

    // Opens the manager (m_) and creates and starts an instance for id_ on it (started_);
    // failures are fatal (call through ASSERT_NO_FATAL_FAILURE).
    void start_instance()
    {
        m_ = open();
        ASSERT_TRUE(m_);
        started_ = create_started(*m_, id_);
        ASSERT_TRUE(started_);
    }

    Temp_dir tmp_;
    Platform platform_{tmp_.path() + "/platform", tmp_.path() + "/root"};
    std::unique_ptr<Manager> m_;
    Domain_identity const id_ = identity("work");
    std::optional<Started_instance> started_;
};

TEST_F(Vtpm_manager, CreateStartExtendQuoteAndRestartKeepState)
{
    ASSERT_NO_FATAL_FAILURE(start_instance());
    auto const &[inst, ep] = *started_;
    auto const tcti = ep.tcti();

    ASSERT_EQ(sh(std::string("tpm2_pcrextend 16:sha256=") + ONES, tcti).status, 0);
    auto const pcr16 = pcr_hex(tcti, 16);
    ASSERT_EQ(pcr16.size(), 64u);
    EXPECT_NE(pcr16, std::string(64, '0'));
    auto const d = tmp_.path();
    auto const quote = sh("set -e; cd " + d +
                              "; tpm2_createek -c ek.ctx -G ecc -u ek.pub; tpm2_flushcontext -t;"
                              " tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa"
                              " -u ak.pub -f pem -n ak.name; tpm2_flushcontext -t;"
                              " tpm2_flushcontext -s;"
                              " tpm2_quote -c ak.ctx -l sha256:16 -q 0badc0de -m q.msg -s q.sig"
                              " -o q.pcrs -g sha256; tpm2_flushcontext -t;"
                              " tpm2_checkquote -u ak.pub -m q.msg -s q.sig -f q.pcrs -g sha256"
                              " -q 0badc0de",
                          tcti);
    ASSERT_EQ(quote.status, 0) << quote.out;
    // A persistent NV counter: committed state that must survive every restart below.
    auto const nv = sh("tpm2_nvdefine 0x1500016 -C o -s 8 -a"
                       " \"ownerread|ownerwrite|authread|authwrite|nt=counter\" &&"
                       " tpm2_nvincrement 0x1500016 -C o && tpm2_nvincrement 0x1500016 -C o",
                       tcti);
    ASSERT_EQ(nv.status, 0) << nv.out;

    // Manager restart while the worker runs: the new manager finds it, state intact.
    m_.reset();
    m_ = open();
    ASSERT_TRUE(m_);
    auto const again = m_->attach(inst.uuid, id_);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->port, ep.port);
    EXPECT_EQ(pcr_hex(tcti, 16), pcr16);

    // Stop, restart the manager, resume: PCRs (volatile) and NV (persistent) intact.
    ASSERT_TRUE(m_->stop(inst.uuid));
    m_.reset();
    m_ = open();
    ASSERT_TRUE(m_);
    auto const list = m_->list();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].status, Instance_status::STOPPED);
    auto const resumed = m_->start(inst.uuid, id_, Start_mode::RESUME);
    ASSERT_TRUE(resumed) << resumed.error().message;
    EXPECT_EQ(pcr_hex(resumed->tcti(), 16), pcr16);
    auto const read = sh("tpm2_nvread 0x1500016 -C o 2>/dev/null | od -An -tx1 | tr -d \" \\n\"",
                         resumed->tcti());
    EXPECT_EQ(read.out, "0000000000000002");

    // Reset (a domain reboot): PCRs start from zero, NV stays.
    ASSERT_TRUE(m_->stop(inst.uuid));
    auto const reset = m_->start(inst.uuid, id_, Start_mode::RESET);
    ASSERT_TRUE(reset);
    EXPECT_EQ(pcr_hex(reset->tcti(), 16), std::string(64, '0'));
    EXPECT_EQ(
        sh("tpm2_nvread 0x1500016 -C o 2>/dev/null | od -An -tx1 | tr -d \" \\n\"", reset->tcti())
            .out,
        "0000000000000002");
    ASSERT_TRUE(m_->destroy(inst.uuid));
    EXPECT_TRUE(m_->list().empty());
}

TEST_F(Vtpm_manager, StateIsEncryptedAtRest)
{
    ASSERT_NO_FATAL_FAILURE(start_instance());
    auto const &[inst, ep] = *started_;
    // A recognisable secret in NV must not appear in any file under the root.
    ASSERT_EQ(
        sh("printf WARDSECRETWARDSECRET > " + tmp_.path() +
               "/s.bin; tpm2_nvdefine"
               " 0x1500020 -C o -s 20 -a \"ownerread|ownerwrite\" && tpm2_nvwrite 0x1500020 -C o"
               " -i " +
               tmp_.path() + "/s.bin",
           ep.tcti())
            .status,
        0);
    ASSERT_TRUE(m_->stop(inst.uuid));
    EXPECT_NE(sh("grep -r -l WARDSECRET " + root()).status, 0);
    EXPECT_TRUE(exists(root() + "/instances/" + inst.uuid + "/state/tpm2-00.permall"));
}

TEST_F(Vtpm_manager, PlatformPcrChangeRefusesUnsealAndNamesThePcr)
{
    {
        auto m = open();
        ASSERT_TRUE(m);
    }
    // Evil maid: a different boot module changes PCR 9.
    ASSERT_EQ(sh(std::string("tpm2_pcrextend 9:sha256=") + ONES, tcti()).status, 0);
    auto const m = Manager::open(platform_.config());
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::PCR_MISMATCH);
    EXPECT_NE(m.error().message.find("PCR 9 differs"), std::string::npos) << m.error().message;
    EXPECT_EQ(m.error().message.find("PCR 8"), std::string::npos) << m.error().message;
    auto const log = read_text(root() + "/audit.log");
    ASSERT_TRUE(log);
    EXPECT_NE(log->find("refused open: pcr-mismatch: refusing to unseal the manager key: PCR 9"),
              std::string::npos)
        << *log;
}

TEST_F(Vtpm_manager, ForgedPcrValuesInSealFileStillRefusedByTheTpm)
{
    {
        auto m = open();
        ASSERT_TRUE(m);
    }
    ASSERT_EQ(sh(std::string("tpm2_pcrextend 9:sha256=") + ONES, tcti()).status, 0);
    // The attacker rewrites the recorded values to match; the TPM's policy still says no.
    auto tpm = Tpm_client::connect(tcti());
    ASSERT_TRUE(tpm);
    auto const sel = *Pcr_selection::parse(DEFAULT_PLATFORM_PCRS);
    auto const now = tpm->read_pcrs(sel);
    ASSERT_TRUE(now);
    auto text = read_text(root() + "/manager.seal");
    ASSERT_TRUE(text);
    auto const at = text->find("pcr.9=");
    ASSERT_NE(at, std::string::npos);
    text->replace(at + 6, 64, to_hex(now->at(9)));
    ASSERT_TRUE(write_atomic(root() + "/manager.seal", *text));
    tpm = Tpm_client::connect(tcti()); // release the socket for the manager
    auto const m = Manager::open(platform_.config());
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::PCR_MISMATCH) << m.error().message;
    EXPECT_NE(m.error().message.find("refused to unseal"), std::string::npos) << m.error().message;
}

TEST_F(Vtpm_manager, DomainCannotGetAnotherDomainsVtpm)
{
    auto m = open();
    ASSERT_TRUE(m);
    auto const work = identity("work"), bank = identity("bank", 'b');
    auto const w = m->create(work);
    ASSERT_TRUE(w);
    auto const denied = m->start(w->uuid, bank, Start_mode::RESET);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, Errc::WRONG_DOMAIN);
    EXPECT_NE(denied.error().message.find("label 'bank-label' is not 'work-label'"),
              std::string::npos)
        << denied.error().message;
    // Same name and label but another launch measurement (a modified kernel) is refused too.
    auto tampered = work;
    tampered.measurement = std::string(64, 'c');
    auto const denied2 = m->start(w->uuid, tampered, Start_mode::RESET);
    ASSERT_FALSE(denied2);
    EXPECT_NE(denied2.error().message.find("launch measurement"), std::string::npos);
    ASSERT_TRUE(m->start(w->uuid, work, Start_mode::RESET));
    EXPECT_FALSE(m->attach(w->uuid, bank));
    EXPECT_TRUE(m->attach(w->uuid, work));
    EXPECT_FALSE(m->start("../../etc", work, Start_mode::RESET));
    auto const log = read_text(root() + "/audit.log");
    ASSERT_TRUE(log);
    EXPECT_NE(log->find("refused start " + w->uuid + " for bank: wrong-domain"), std::string::npos)
        << *log;
    EXPECT_NE(log->find("refused attach " + w->uuid + " for bank"), std::string::npos);
}

TEST_F(Vtpm_manager, CorruptedInstanceFilesAreRefusedAndNothingElseIsLost)
{
    auto m = open();
    ASSERT_TRUE(m);
    auto const a = identity("alpha"), b = identity("beta", 'b');
    auto const ia = m->create(a), ib = m->create(b);
    ASSERT_TRUE(ia && ib);
    ASSERT_TRUE(m->start(ib->uuid, b, Start_mode::RESET));
    ASSERT_TRUE(m->stop(ib->uuid));

    // Rebinding a record to another domain by editing it: the key no longer authenticates.
    auto const rec = root() + "/instances/" + ia->uuid + "/record";
    auto text = read_text(rec);
    ASSERT_TRUE(text);
    auto edited = *text;
    edited.replace(edited.find("label=alpha-label"), 17, "label=gamma-label");
    ASSERT_TRUE(write_atomic(rec, edited));
    auto gamma = a;
    gamma.label = "gamma-label";
    auto const r1 = m->start(ia->uuid, gamma, Start_mode::RESET);
    ASSERT_FALSE(r1);
    EXPECT_EQ(r1.error().code, Errc::CORRUPT) << r1.error().message;

    // A truncated record.
    ASSERT_TRUE(write_atomic(rec, text->substr(0, text->size() / 2)));
    auto const r2 = m->start(ia->uuid, a, Start_mode::RESET);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, Errc::CORRUPT);
    auto const listed = m->info(ia->uuid);
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, Instance_status::CORRUPT);

    // A damaged swtpm state file: swtpm's HMAC check refuses it.
    auto const state = root() + "/instances/" + ib->uuid + "/state/tpm2-00.permall";
    auto bytes = read_file(state);
    ASSERT_TRUE(bytes);
    auto const good = *bytes;
    (*bytes)[bytes->size() / 2] ^= 0x40;
    ASSERT_TRUE(write_atomic(state, *bytes));
    auto const r3 = m->start(ib->uuid, b, Start_mode::RESUME);
    ASSERT_FALSE(r3);
    EXPECT_EQ(r3.error().code, Errc::CORRUPT) << r3.error().message;

    // Nothing lost: restoring the file (e.g. from backup) brings the instance back.
    ASSERT_TRUE(write_atomic(state, good));
    EXPECT_TRUE(m->start(ib->uuid, b, Start_mode::RESUME));
    EXPECT_EQ(m->list().size(), 2u);
}

TEST_F(Vtpm_manager, TpmifSharedPageRequestIsServedByTheInstance)
{
    ASSERT_NO_FATAL_FAILURE(start_instance());
    auto const &[inst, ep] = *started_;
    // A frontend's TPM2_GetRandom(16) in a shared page, as xen-tpmfront lays it out.
    std::array<std::uint8_t, TPMIF_PAGE> page{};
    Bytes const get_random{0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16};
    std::copy(get_random.begin(), get_random.end(), page.begin() + 8);
    page[0] = 12;
    page[4] = static_cast<std::uint8_t>(Tpmif_state::SUBMIT);
    std::span<std::uint8_t> const spans[] = {page};
    auto const req = tpmif_take_request(spans);
    ASSERT_TRUE(req && req->has_value());
    auto const resp = forward_command(ep, (*req)->command);
    ASSERT_TRUE(resp) << resp.error().message;
    ASSERT_TRUE(tpmif_put_response(spans, *resp));
    EXPECT_EQ(page[4], static_cast<std::uint8_t>(Tpmif_state::FINISH));
    EXPECT_EQ(page[0], 28); // 10-byte header + TPM2B of 16 random bytes
    EXPECT_EQ(page[8 + 6] | page[8 + 7] | page[8 + 8] | page[8 + 9], 0); // TPM_RC_SUCCESS
    EXPECT_EQ(page[8 + 11], 16);
}

TEST_F(Vtpm_manager, RebindMovesAStoppedInstanceToTheUpdatedMeasurement)
{
    ASSERT_NO_FATAL_FAILURE(start_instance());
    auto const &old_id = id_;
    auto const &[inst, ep] = *started_;
    ASSERT_EQ(sh("tpm2_nvdefine 0x1500016 -C o -s 8 -a"
                 " \"ownerread|ownerwrite|authread|authwrite|nt=counter\" &&"
                 " tpm2_nvincrement 0x1500016 -C o",
                 ep.tcti())
                  .status,
              0);
    auto new_id = old_id;
    new_id.measurement = std::string(64, 'e'); // the updated kernel's launch measurement
    EXPECT_EQ(m_->rebind(inst.uuid, old_id, new_id).error().code, Errc::BAD_STATE); // running
    ASSERT_TRUE(m_->stop(inst.uuid));
    auto const bank = identity("bank", 'b');
    EXPECT_EQ(m_->rebind(inst.uuid, bank, bank).error().code, Errc::WRONG_DOMAIN);
    ASSERT_TRUE(m_->rebind(inst.uuid, old_id, new_id));
    EXPECT_EQ(m_->start(inst.uuid, old_id, Start_mode::RESET).error().code, Errc::WRONG_DOMAIN);
    auto const again = m_->start(inst.uuid, new_id, Start_mode::RESET);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(
        sh("tpm2_nvread 0x1500016 -C o 2>/dev/null | od -An -tx1 | tr -d \" \\n\"", again->tcti())
            .out,
        "0000000000000001");
}

TEST_F(Vtpm_manager, SecondManagerOnTheSameRootIsRefused)
{
    auto m = open();
    ASSERT_TRUE(m);
    auto const m2 = Manager::open(platform_.config());
    ASSERT_FALSE(m2);
    EXPECT_EQ(m2.error().code, Errc::BUSY);
}

} // namespace
