// SPDX-License-Identifier: MIT
// The freestanding SHA-256 against OpenSSL's, on FIPS vectors and on random messages fed in
// random chunks (covering every padding boundary around 55, 56 and 64 bytes).
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "hv/acm/sha256.hpp"

namespace
{

using hv::acm::Digest;
using hv::acm::Sha256;

Digest openssl_sha256(std::vector<std::byte> const &m)
{
    Digest d{};
    unsigned int len = 0;
    EXPECT_EQ(EVP_Digest(m.data(), m.size(), d.data(), &len, EVP_sha256(), nullptr), 1);
    EXPECT_EQ(len, 32u);
    return d;
}

std::vector<std::byte> bytes(std::string const &s)
{
    std::vector<std::byte> b(s.size());
    for (size_t i = 0; i < s.size(); ++i)
        b[i] = static_cast<std::byte>(s[i]);
    return b;
}

std::string hex(Digest const &d)
{
    std::string s;
    char buf[3];
    for (auto const x : d) {
        std::snprintf(buf, sizeof buf, "%02x", x);
        s += buf;
    }
    return s;
}

TEST(Sha256, FipsVectors)
{
    EXPECT_EQ(hex(Sha256::of(bytes(""))),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex(Sha256::of(bytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(Sha256::of(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MatchesOpensslOnEveryLengthUpTo300)
{
    std::mt19937 rng{12345};
    for (size_t n = 0; n <= 300; ++n) {
        std::vector<std::byte> m(n);
        for (auto &b : m)
            b = static_cast<std::byte>(rng());
        EXPECT_EQ(Sha256::of(m), openssl_sha256(m)) << "length " << n;
    }
}

TEST(Sha256, ChunkedUpdatesMatchOneShot)
{
    std::mt19937 rng{777};
    for (int round = 0; round < 200; ++round) {
        std::vector<std::byte> m(rng() % 5000);
        for (auto &b : m)
            b = static_cast<std::byte>(rng());
        Sha256 h;
        size_t at = 0;
        while (at < m.size()) {
            size_t const n = std::min<size_t>(rng() % 130, m.size() - at);
            h.update(std::span<std::byte const>{m}.subspan(at, n));
            at += n;
        }
        EXPECT_EQ(h.finish(), openssl_sha256(m)) << "round " << round;
    }
}

TEST(Sha256, MillionA)
{
    std::vector<std::byte> m(1000000, std::byte{'a'});
    EXPECT_EQ(hex(Sha256::of(m)),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

} // namespace
