// SPDX-License-Identifier: MIT
// PCR selections and mismatch reports; OpenSSL wrapping, ECDH and HKDF; transport framing;
// swtpm control encoding; crash-safe files.
#include <gtest/gtest.h>

#include <cstdlib>

#include "vtpm/atomic_file.hpp"
#include "vtpm/pcr.hpp"
#include "vtpm/transport.hpp"
#include "vtpm/worker.hpp"

using namespace dom::vtpm;

namespace
{

TEST(Pcr_selection, ParsesListsAndRanges)
{
    EXPECT_EQ(Pcr_selection::parse("9,0,2,4,7-8,8")->pcrs,
              (std::vector<unsigned>{0, 2, 4, 7, 8, 9}));
    EXPECT_EQ(Pcr_selection::parse(DEFAULT_PLATFORM_PCRS)->to_string(), "0,2,4,7,8,9");
    for (char const *bad : {"", "24", "1,,2", "9-7", "a", "1-", "-1", "007", " 1"})
        EXPECT_EQ(Pcr_selection::parse(bad).error().code, Errc::BAD_INPUT) << bad;
}

TEST(Pcr_values, MismatchNamesExactlyTheChangedPcrs)
{
    Pcr_values sealed, now;
    for (unsigned p : {0u, 7u, 8u, 9u}) {
        sealed[p].fill(static_cast<std::uint8_t>(p));
        now[p] = sealed[p];
    }
    EXPECT_TRUE(differing_pcrs(sealed, now).empty());
    now[9][0] ^= 1;
    now.erase(7);
    EXPECT_EQ(differing_pcrs(sealed, now), (std::vector<unsigned>{7, 9}));
    auto const text = describe_pcr_mismatch(sealed, now);
    EXPECT_EQ(text.rfind("PCRs 7, 9 differ", 0), 0u) << text;
    EXPECT_NE(text.find("unreadable"), std::string::npos);
}

TEST(Aead, SealOpenAndRefuseTampering)
{
    auto const key = *random_key();
    auto const aad = to_bytes("binding");
    auto const blob = aead_seal(key, aad, to_bytes("secret"));
    ASSERT_TRUE(blob);
    EXPECT_EQ(blob->size(), 12u + 6 + 16);
    EXPECT_EQ(*aead_open(key, aad, *blob), to_bytes("secret"));
    EXPECT_EQ(aead_open(key, to_bytes("other"), *blob).error().code, Errc::CRYPTO);
    auto flipped = *blob;
    flipped[14] ^= 1;
    EXPECT_FALSE(aead_open(key, aad, flipped));
    auto other = key;
    other[0] ^= 1;
    EXPECT_FALSE(aead_open(other, aad, *blob));
    EXPECT_FALSE(aead_open(key, aad, Bytes(10)));
}

TEST(Ecdh, BothSidesDeriveTheSameKeyAndBadPointsAreRefused)
{
    // The receiver here is another ephemeral key (in the manager it lives in the TPM).
    auto const recv = ecdh_ephemeral({Bytes(), Bytes()});
    EXPECT_EQ(recv.error().code, Errc::BAD_INPUT);
    Ecc_point not_on_curve{Bytes(32, 1), Bytes(32, 2)};
    EXPECT_EQ(ecdh_ephemeral(not_on_curve).error().code, Errc::BAD_INPUT);

    auto const a = ecdh_ephemeral(
        {*from_hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
         *from_hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")});
    ASSERT_TRUE(a) << a.error().message; // the P-256 generator
    EXPECT_EQ(a->z.size(), 32u);
    auto const k1 = hkdf_sha256(a->z, to_bytes("info"));
    auto const k2 = hkdf_sha256(a->z, to_bytes("info"));
    auto const k3 = hkdf_sha256(a->z, to_bytes("other"));
    ASSERT_TRUE(k1 && k2 && k3);
    EXPECT_EQ(*k1, *k2);
    EXPECT_NE(*k1, *k3);
}

TEST(Transport, FramesTpmPackets)
{
    Bytes cmd{0x80, 0x01, 0, 0, 0, 12, 0, 0, 1, 0x44, 0, 0};
    EXPECT_EQ(*tpm_packet_length(cmd), 12u);
    cmd.push_back(0xff);
    EXPECT_EQ(*tpm_packet_length(cmd), 12u);
    EXPECT_FALSE(tpm_packet_length(Bytes(cmd.begin(), cmd.begin() + 11)));
    auto bad_tag = cmd;
    bad_tag[1] = 0x03;
    EXPECT_FALSE(tpm_packet_length(bad_tag));
    auto huge = cmd;
    huge[2] = 0x7f;
    EXPECT_FALSE(tpm_packet_length(huge));
    auto tiny = cmd;
    tiny[5] = 9;
    EXPECT_FALSE(tpm_packet_length(tiny));
}

TEST(Swtpm_ctrl, CommandsAreBigEndian)
{
    EXPECT_EQ(encode_ctrl(Ctrl_cmd::STORE_VOLATILE), (std::array<std::uint8_t, 4>{0, 0, 0, 10}));
    EXPECT_EQ(encode_ctrl(Ctrl_cmd::SHUTDOWN), (std::array<std::uint8_t, 4>{0, 0, 0, 3}));
}

TEST(Atomic_file, ReplacesWholeFilesAndReportsErrors)
{
    char tmpl[] = "/tmp/ward-vtpm-unit-XXXXXX";
    std::string const dir = ::mkdtemp(tmpl);
    std::string const f = dir + "/f";
    ASSERT_TRUE(write_atomic(f, std::string("one")));
    ASSERT_TRUE(write_atomic(f, std::string("two!")));
    EXPECT_EQ(*read_text(f), "two!");
    EXPECT_FALSE(exists(f + ".tmp"));
    EXPECT_EQ(read_text(dir + "/missing").error().code, Errc::NOT_FOUND);
    EXPECT_EQ(read_file(f, 2).error().code, Errc::CORRUPT);
    EXPECT_EQ(write_atomic(dir + "/no/such/dir", std::string("x")).error().code, Errc::IO);
    EXPECT_EQ(parent_dir("/a/b"), "/a");
    EXPECT_EQ(parent_dir("b"), ".");
    ASSERT_TRUE(remove_tree(dir));
    EXPECT_FALSE(exists(dir));
}

} // namespace
