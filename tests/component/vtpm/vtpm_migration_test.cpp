// SPDX-License-Identifier: MIT
// Migration between two platforms, each a swtpm with its own manager: round trip with state
// intact, the source destroyed, and refusals for blobs addressed elsewhere or tampered with.
#include <gtest/gtest.h>

#include "tpm_test_support.hpp"
#include "vtpm/atomic_file.hpp"

using namespace dom::vtpm;
using namespace ward_test;

namespace
{

constexpr char const *ONES = "0101010101010101010101010101010101010101010101010101010101010101";

// Two platforms A and B, each with its manager open.
class Vtpm_migration : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        ASSERT_TRUE(a_.tpm.ok() && b_.tpm.ok());
        ma_ = a_.open();
        mb_ = b_.open();
        ASSERT_TRUE(ma_ && mb_);
    }

    Temp_dir tmp_;
    Platform a_{tmp_.path() + "/a/tpm", tmp_.path() + "/a/root"};
    Platform b_{tmp_.path() + "/b/tpm", tmp_.path() + "/b/root"};
    std::unique_ptr<Manager> ma_, mb_;
    Domain_identity const id_ = identity("work");
};

TEST_F(Vtpm_migration, RoundTripKeepsStateAndDestroysTheSource)
{
    auto const inst = ma_->create(id_);
    ASSERT_TRUE(inst);
    auto const ep = ma_->start(inst->uuid, id_, Start_mode::RESET);
    ASSERT_TRUE(ep);
    ASSERT_EQ(sh(std::string("tpm2_pcrextend 16:sha256=") + ONES, ep->tcti()).status, 0);
    auto const pcr16 = pcr_hex(ep->tcti(), 16);
    ASSERT_EQ(sh("tpm2_nvdefine 0x1500016 -C o -s 8 -a"
                 " \"ownerread|ownerwrite|authread|authwrite|nt=counter\" &&"
                 " tpm2_nvincrement 0x1500016 -C o",
                 ep->tcti())
                  .status,
              0);

    auto const key_b = mb_->platform_key();
    ASSERT_TRUE(key_b) << key_b.error().message;
    // The key file round-trips through its text form, as it would between machines.
    auto const parsed = Platform_key::parse(key_b->serialize());
    ASSERT_TRUE(parsed);
    std::string const blob = tmp_.path() + "/work.vtpm";
    auto const ex = ma_->export_instance(inst->uuid, *parsed, blob);
    ASSERT_TRUE(ex) << ex.error().message;
    EXPECT_TRUE(ma_->list().empty()) << "the source must be destroyed";
    EXPECT_FALSE(ma_->start(inst->uuid, id_, Start_mode::RESUME));
    EXPECT_NE(sh("grep -q " + std::string(ONES).substr(0, 16) + " " + blob).status, 0);

    auto const im = mb_->import_instance(blob);
    ASSERT_TRUE(im) << im.error().message;
    EXPECT_EQ(im->uuid, inst->uuid);
    EXPECT_EQ(im->owner, id_);
    auto const ep_b = mb_->start(inst->uuid, id_, Start_mode::RESUME);
    ASSERT_TRUE(ep_b) << ep_b.error().message;
    EXPECT_EQ(pcr_hex(ep_b->tcti(), 16), pcr16);
    EXPECT_EQ(
        sh("tpm2_nvread 0x1500016 -C o 2>/dev/null | od -An -tx1 | tr -d \" \\n\"", ep_b->tcti())
            .out,
        "0000000000000001");
    // Importing the same blob again must not make a second copy.
    auto const twice = mb_->import_instance(blob);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, Errc::REPLAYED) << twice.error().message;

    // B's instance survives a restart of B's manager (re-wrapped under B's manager key).
    ASSERT_TRUE(mb_->stop(inst->uuid));
    mb_.reset();
    mb_ = b_.open();
    ASSERT_TRUE(mb_);
    EXPECT_TRUE(mb_->start(inst->uuid, id_, Start_mode::RESUME));
}

TEST_F(Vtpm_migration, BlobForAnotherPlatformOrTamperedIsRefused)
{
    auto const i1 = ma_->create(id_);
    ASSERT_TRUE(i1);
    ASSERT_TRUE(ma_->start(i1->uuid, id_, Start_mode::RESET));

    // Exported to A itself (standing in for a third platform): B must refuse it.
    auto const key_a = ma_->platform_key();
    ASSERT_TRUE(key_a);
    std::string const blob = tmp_.path() + "/for-a.vtpm";
    ASSERT_TRUE(ma_->export_instance(i1->uuid, *key_a, blob));
    auto const wrong = mb_->import_instance(blob);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, Errc::WRONG_PLATFORM);
    EXPECT_NE(wrong.error().message.find("is for platform"), std::string::npos);

    // Relabelling the target field does not help: the payload is bound to A's TPM key.
    auto const key_b = mb_->platform_key();
    ASSERT_TRUE(key_b);
    auto text = read_text(blob);
    ASSERT_TRUE(text);
    auto const at = text->find("target=");
    text->replace(at + 7, 64, to_hex(key_b->id()));
    ASSERT_TRUE(write_atomic(blob + ".forged", *text));
    auto const forged = mb_->import_instance(blob + ".forged");
    ASSERT_FALSE(forged);
    EXPECT_EQ(forged.error().code, Errc::CORRUPT) << forged.error().message;

    // A flipped payload byte in a blob really for B.
    auto const i2 = ma_->create(id_);
    ASSERT_TRUE(i2);
    std::string const blob2 = tmp_.path() + "/for-b.vtpm";
    ASSERT_TRUE(ma_->export_instance(i2->uuid, *key_b, blob2));
    auto t2 = read_text(blob2);
    ASSERT_TRUE(t2);
    auto const p = t2->find("payload=") + 20;
    (*t2)[p] = (*t2)[p] == '0' ? '1' : '0';
    ASSERT_TRUE(write_atomic(blob2 + ".bad", *t2));
    auto const bad = mb_->import_instance(blob2 + ".bad");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::CORRUPT);
    EXPECT_TRUE(mb_->list().empty());
    // The intact blob still imports: a refusal loses nothing.
    EXPECT_TRUE(mb_->import_instance(blob2));

    // Garbage is refused cleanly.
    ASSERT_TRUE(write_atomic(tmp_.path() + "/junk", std::string("not a blob\n")));
    auto const junk = mb_->import_instance(tmp_.path() + "/junk");
    ASSERT_FALSE(junk);
    EXPECT_EQ(junk.error().code, Errc::CORRUPT);
}

std::string field(std::string const &text, std::string const &key)
{
    auto const at = text.find("\n" + key + "=");
    if (at == std::string::npos)
        return {};
    auto const from = at + key.size() + 2;
    return text.substr(from, text.find('\n', from) - from);
}

TEST_F(Vtpm_migration, ABlobImportsOnceEvenAfterTheInstanceIsGoneOrCameBack)
{
    auto const inst = ma_->create(id_);
    ASSERT_TRUE(inst);
    auto const key_a = ma_->platform_key();
    auto const key_b = mb_->platform_key();
    ASSERT_TRUE(key_a && key_b);
    std::string const ab = tmp_.path() + "/a-to-b.vtpm", ba = tmp_.path() + "/b-to-a.vtpm";
    ASSERT_TRUE(ma_->export_instance(inst->uuid, *key_b, ab));
    auto const again = ma_->export_instance(inst->uuid, *key_b, ab + ".2");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::NOT_FOUND);
    EXPECT_NE(again.error().message.find("was exported"), std::string::npos)
        << again.error().message;
    ASSERT_TRUE(mb_->import_instance(ab));

    // B sends it back to A; A takes it (a new export), then B's old blob is replayed to B,
    // where the instance no longer exists: refused, not resurrected.
    ASSERT_TRUE(mb_->export_instance(inst->uuid, *key_a, ba));
    EXPECT_TRUE(mb_->list().empty());
    auto const replay = mb_->import_instance(ab);
    ASSERT_FALSE(replay);
    EXPECT_EQ(replay.error().code, Errc::REPLAYED) << replay.error().message;
    EXPECT_NE(replay.error().message.find("already imported"), std::string::npos);
    EXPECT_TRUE(mb_->list().empty());
    ASSERT_TRUE(ma_->import_instance(ba));
    ASSERT_EQ(ma_->list().size(), 1u);

    // A destroys it; the blob that brought it is refused too, and so after a manager restart
    // (the ledger is on disk, not in memory).
    ASSERT_TRUE(ma_->destroy(inst->uuid));
    ma_.reset();
    ma_ = a_.open();
    ASSERT_TRUE(ma_);
    auto const after_restart = ma_->import_instance(ba);
    ASSERT_FALSE(after_restart);
    EXPECT_EQ(after_restart.error().code, Errc::REPLAYED);
    EXPECT_TRUE(ma_->list().empty());
    EXPECT_NE(sh("grep -c \"refused import\" " + a_.root + "/audit.log").out, "0\n");
}

TEST_F(Vtpm_migration, AnInterruptedExportKeepsItsIdAndItsTarget)
{
    auto const inst = ma_->create(id_);
    ASSERT_TRUE(inst);
    auto const key_a = ma_->platform_key();
    auto const key_b = mb_->platform_key();
    ASSERT_TRUE(key_a && key_b);
    // The blob cannot be written: the export stops after marking the instance exporting.
    auto const failed = ma_->export_instance(inst->uuid, *key_b, tmp_.path() + "/no/such/dir/x");
    ASSERT_FALSE(failed);
    auto const record = read_text(a_.root + "/instances/" + inst->uuid + "/record");
    ASSERT_TRUE(record);
    auto const export_id = field(*record, "export");
    ASSERT_EQ(export_id.size(), 32u) << *record;
    EXPECT_EQ(field(*record, "status"), "exporting");
    EXPECT_EQ(ma_->start(inst->uuid, id_, Start_mode::RESUME).error().code, Errc::BAD_STATE);
    // Not to another platform: that would make two importable copies.
    auto const elsewhere = ma_->export_instance(inst->uuid, *key_a, tmp_.path() + "/to-a.vtpm");
    ASSERT_FALSE(elsewhere);
    EXPECT_EQ(elsewhere.error().code, Errc::BAD_STATE) << elsewhere.error().message;
    EXPECT_FALSE(exists(tmp_.path() + "/to-a.vtpm"));
    // The same target finishes the job with the same export id.
    std::string const blob = tmp_.path() + "/to-b.vtpm";
    ASSERT_TRUE(ma_->export_instance(inst->uuid, *key_b, blob));
    auto const text = read_text(blob);
    ASSERT_TRUE(text);
    EXPECT_EQ(field(*text, "export"), export_id);
    EXPECT_TRUE(ma_->list().empty());
    auto const ledger = read_text(a_.root + "/ledger");
    ASSERT_TRUE(ledger);
    EXPECT_EQ(field(*ledger, "exported." + export_id), inst->uuid);
    ASSERT_TRUE(mb_->import_instance(blob));
    auto const ledger_b = read_text(b_.root + "/ledger");
    ASSERT_TRUE(ledger_b);
    EXPECT_EQ(field(*ledger_b, "consumed." + export_id), inst->uuid);
}

} // namespace
