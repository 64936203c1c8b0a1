// SPDX-License-Identifier: MIT
// Pure vTPM manager formats: key=value files, records, sealed-key files, migration blobs,
// identities and bindings.
#include <gtest/gtest.h>

#include "vtpm/kv_file.hpp"
#include "vtpm/ledger.hpp"
#include "vtpm/migration.hpp"
#include "vtpm/record.hpp"
#include "vtpm/sealed_key.hpp"

using namespace dom::vtpm;

namespace
{

Domain_identity const WORK{"work", "work-label", std::string(64, 'a')};
std::string const UUID = "0123abcd-0000-4000-8000-00000000beef";

TEST(Kv_file, RoundTripsAndRejectsMalformedInput)
{
    Kv_file f{"magic 1"};
    f.set("a", "1");
    f.set_hex("b.c", Bytes{0xde, 0xad});
    auto const p = Kv_file::parse(f.serialize(), "magic 1", "test");
    ASSERT_TRUE(p);
    EXPECT_EQ(*p->get("a"), "1");
    EXPECT_EQ(*p->get_hex("b.c", 2), (Bytes{0xde, 0xad}));
    EXPECT_FALSE(p->get_hex("b.c", 3));
    EXPECT_EQ(p->get("zz").error().code, Errc::CORRUPT);

    for (char const *bad : {"", "magic 2\n", "magic 1\na=1", "magic 1\na=1\na=2\n", "magic 1\n=1\n",
                            "magic 1\nA=1\n", "magic 1\nnoequals\n", "magic 1\na=\x01\n"}) {
        auto const r = Kv_file::parse(bad, "magic 1", "test");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, Errc::CORRUPT);
    }
    auto const trunc = Kv_file::parse("magic 1\na=1", "magic 1", "test");
    EXPECT_NE(trunc.error().message.find("truncated"), std::string::npos);
}

TEST(Identity, ValidatesNamesAndMeasurement)
{
    EXPECT_TRUE(validate_identity(WORK));
    auto upper = WORK;
    upper.measurement = std::string(64, 'A');
    EXPECT_EQ(validate_identity(upper)->measurement, std::string(64, 'a'));
    for (auto const &bad :
         {Domain_identity{"", "l", WORK.measurement},
          Domain_identity{"../x", "l", WORK.measurement},
          Domain_identity{".hidden", "l", WORK.measurement},
          Domain_identity{"a b", "l", WORK.measurement},
          Domain_identity{"a", std::string(65, 'l'), WORK.measurement},
          Domain_identity{"a", "l", "abcd"}, Domain_identity{"a", "l", std::string(64, 'g')}})
        EXPECT_EQ(validate_identity(bad).error().code, Errc::BAD_INPUT) << bad.domain;
}

TEST(Identity, UuidsAreStrict)
{
    EXPECT_TRUE(valid_uuid(UUID));
    EXPECT_FALSE(valid_uuid("0123ABCD-0000-4000-8000-00000000beef"));
    EXPECT_FALSE(valid_uuid("../../../../etc/passwd-000000000000000"));
    EXPECT_FALSE(valid_uuid(UUID + "0"));
    std::uint8_t raw[16] = {};
    auto const u = format_uuid(raw);
    EXPECT_TRUE(valid_uuid(u));
    EXPECT_EQ(u[14], '4');
}

TEST(Identity, BindingNamesEveryDifference)
{
    EXPECT_TRUE(check_binding(UUID, WORK, WORK));
    Domain_identity other{"bank", "bank-label", std::string(64, 'b')};
    auto const r = check_binding(UUID, WORK, other);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::WRONG_DOMAIN);
    EXPECT_NE(r.error().message.find("domain 'bank' is not 'work'"), std::string::npos);
    EXPECT_NE(r.error().message.find("label"), std::string::npos);
    EXPECT_NE(r.error().message.find("launch measurement"), std::string::npos);
    EXPECT_NE(binding_aad(UUID, WORK), binding_aad(UUID, other));
}

TEST(Instance_record, RoundTripsAndRejectsDamage)
{
    Instance_record r;
    r.uuid = UUID;
    r.owner = WORK;
    r.wrapped_key = Bytes(60, 7);
    r.status = Record_status::EXPORTING;
    r.origin = std::string(32, 'c');
    r.export_id = std::string(32, 'e');
    r.export_target.fill(5);
    auto const p = Instance_record::parse(r.serialize());
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->owner, WORK);
    EXPECT_EQ(p->wrapped_key, r.wrapped_key);
    EXPECT_EQ(p->status, Record_status::EXPORTING);
    EXPECT_EQ(p->origin, r.origin);
    EXPECT_EQ(p->export_id, r.export_id);
    EXPECT_EQ(p->export_target, r.export_target);

    auto const text = r.serialize();
    auto const replace = [&](std::string const &from, std::string const &to) {
        auto t = text;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    for (auto const &bad :
         {text.substr(0, text.size() - 5), replace("status=exporting", "status=x"),
          replace("uuid=0123", "uuid=../."), replace("domain=work", "domain=.w"),
          replace("key=07", "key=0"), replace("key=0707", "key=07"),
          replace("export=eee", "export=EEE"), replace("export=", "exported="),
          replace("origin=ccc", "origin=cc"), replace("export.target=05", "export.target=5")})
        EXPECT_EQ(Instance_record::parse(bad).error().code, Errc::CORRUPT) << bad;
}

TEST(Run_info, RoundTripsAndValidates)
{
    Run_info r{1234, 40000};
    auto const p = Run_info::parse(r.serialize());
    ASSERT_TRUE(p);
    EXPECT_EQ(p->pid, 1234);
    EXPECT_EQ(p->port, 40000u);
    EXPECT_FALSE(Run_info::parse("ward-vtpm-run 1\npid=1\nport=4\n"));
    EXPECT_FALSE(Run_info::parse("ward-vtpm-run 1\npid=100\nport=65535\n"));
    EXPECT_FALSE(Run_info::parse("ward-vtpm-run 1\npid=12x\nport=40000\n"));
}

TEST(Sealed_key_file, RoundTripsAndRejectsMissingPcrs)
{
    Sealed_key_file f;
    f.pcrs = *Pcr_selection::parse("7,8");
    f.values[7].fill(1);
    f.values[8].fill(2);
    f.object = {Bytes{1, 2, 3}, Bytes{4, 5}};
    auto const p = Sealed_key_file::parse(f.serialize());
    ASSERT_TRUE(p);
    EXPECT_EQ(p->values, f.values);
    EXPECT_EQ(p->object.pub, f.object.pub);
    auto text = f.serialize();
    text.erase(text.find("pcr.8="), 6 + 64 + 1);
    EXPECT_EQ(Sealed_key_file::parse(text).error().code, Errc::CORRUPT);
}

TEST(Migration_blob, RoundTripsAndBindsHeaderToPayload)
{
    Migration_blob b;
    b.target.fill(9);
    b.uuid = UUID;
    b.export_id = std::string(32, 'a');
    b.owner = WORK;
    b.ephemeral = {Bytes(32, 1), Bytes(32, 2)};
    b.payload = Bytes{1, 2, 3};
    auto const p = Migration_blob::parse(b.serialize());
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->export_id, b.export_id);
    EXPECT_EQ(p->header_aad(), b.header_aad());
    auto replayed = b;
    replayed.export_id = std::string(32, 'b');
    EXPECT_NE(replayed.header_aad(), b.header_aad()); // the export id is authenticated
    EXPECT_EQ(p->payload, b.payload);
    auto other = b;
    other.owner.label = "evil";
    EXPECT_NE(other.header_aad(), b.header_aad());
    EXPECT_NE(other.kdf_info(), (Migration_blob{}.kdf_info()));
    auto text = b.serialize();
    text.insert(text.find("payload="), "extra=1\n");
    EXPECT_EQ(Migration_blob::parse(text).error().code, Errc::CORRUPT);
}

TEST(Migration_blob, RefusesAMissingOrMalformedExportId)
{
    Migration_blob b;
    b.uuid = UUID;
    b.export_id = std::string(32, 'a');
    b.owner = WORK;
    b.ephemeral = {Bytes(32, 1), Bytes(32, 2)};
    auto const text = b.serialize();
    auto const edited = [&](std::string const &from, std::string const &to) {
        auto t = text;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    for (auto const &bad : {edited("export=" + b.export_id + "\n", ""),
                            edited("export=a", "export=g"), edited("export=aa", "export=a"),
                            edited("ward-vtpm-migration 2", "ward-vtpm-migration 1")})
        EXPECT_EQ(Migration_blob::parse(bad).error().code, Errc::CORRUPT) << bad;
}

TEST(Migration_ledger, RoundTripsAndRejectsStrangeLines)
{
    Migration_ledger l;
    l.consumed[std::string(32, '1')] = UUID;
    l.exported[std::string(32, '2')] = UUID;
    auto const p = Migration_ledger::parse(l.serialize());
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->consumed, l.consumed);
    EXPECT_EQ(p->exported, l.exported);
    EXPECT_TRUE(Migration_ledger::parse("ward-vtpm-ledger 1\n"));
    for (auto const *bad :
         {"ward-vtpm-ledger 1\nconsumed.12=0123abcd-0000-4000-8000-00000000beef\n",
          "ward-vtpm-ledger 1\nimported.11111111111111111111111111111111=0123abcd-0000-4000-"
          "8000-00000000beef\n",
          "ward-vtpm-ledger 1\nconsumed.11111111111111111111111111111111=../x\n",
          "ward-vtpm-ledger 1\nconsumed\n", "ward-vtpm-ledger 1\nconsumed=x\n"})
        EXPECT_EQ(Migration_ledger::parse(bad).error().code, Errc::CORRUPT) << bad;
    EXPECT_TRUE(valid_export_id(std::string(32, 'f')));
    EXPECT_FALSE(valid_export_id(std::string(32, 'F')));
    EXPECT_FALSE(valid_export_id(std::string(31, 'f')));
}

TEST(Migration_payload, OnlyKnownStateFiles)
{
    Migration_payload p;
    p.instance_key.fill(3);
    p.files["tpm2-00.permall"] = Bytes{1, 2};
    auto const r = Migration_payload::parse(p.serialize());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->files, p.files);
    auto evil = p.serialize() + "file.../../etc/passwd=00\n";
    EXPECT_EQ(Migration_payload::parse(evil).error().code, Errc::CORRUPT);
    Migration_payload none;
    EXPECT_EQ(Migration_payload::parse(none.serialize()).error().code, Errc::CORRUPT);
}

TEST(Platform_key, IdIsCheckedAgainstTheKey)
{
    Platform_key k{{Bytes(32, 1), Bytes(32, 2)}};
    auto const p = Platform_key::parse(k.serialize());
    ASSERT_TRUE(p);
    EXPECT_EQ(p->id(), k.id());
    auto text = k.serialize();
    text[text.find("x=") + 2] = 'f';
    EXPECT_EQ(Platform_key::parse(text).error().code, Errc::CORRUPT);
}

} // namespace
