// SPDX-License-Identifier: MIT
// OpenSSL 3 implementations of the manager's primitives.
#include "vtpm/crypto.hpp"

#include <memory>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace dom::vtpm
{

namespace
{

constexpr std::size_t NONCE = 12, TAG = 16;

struct Ctx_free
{
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
    void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
template <typename T> using Ossl = std::unique_ptr<T, Ctx_free>;

hv::Unexpected<Error> ossl_fail(char const *what)
{
    return fail(Errc::CRYPTO, std::string("OpenSSL: ") + what + " failed");
}

} // namespace

Result<Bytes> random_bytes(std::size_t n)
{
    Bytes b(n);
    if (n && RAND_bytes(b.data(), static_cast<int>(n)) != 1)
        return ossl_fail("RAND_bytes");
    return b;
}

Result<Key256> random_key()
{
    auto const b = HV_TRY(random_bytes(32));
    Key256 k{};
    std::copy(b.begin(), b.end(), k.begin());
    return k;
}

Digest sha256(std::span<std::uint8_t const> data)
{
    Digest d{};
    SHA256(data.data(), data.size(), d.data());
    return d;
}

Result<Bytes> aead_seal(Key256 const &key, std::span<std::uint8_t const> aad,
                        std::span<std::uint8_t const> plaintext)
{
    Bytes out = HV_TRY(random_bytes(NONCE));
    out.resize(NONCE + plaintext.size() + TAG);
    Ossl<EVP_CIPHER_CTX> c{EVP_CIPHER_CTX_new()};
    int len = 0;
    if (!c || EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data()) != 1)
        return ossl_fail("GCM init");
    if (!aad.empty() &&
        EVP_EncryptUpdate(c.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
        return ossl_fail("GCM aad");
    if (!plaintext.empty() && EVP_EncryptUpdate(c.get(), out.data() + NONCE, &len, plaintext.data(),
                                                static_cast<int>(plaintext.size())) != 1)
        return ossl_fail("GCM encrypt");
    if (EVP_EncryptFinal_ex(c.get(), out.data() + NONCE + plaintext.size(), &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, TAG,
                            out.data() + NONCE + plaintext.size()) != 1)
        return ossl_fail("GCM final");
    return out;
}

Result<Bytes> aead_open(Key256 const &key, std::span<std::uint8_t const> aad,
                        std::span<std::uint8_t const> blob)
{
    if (blob.size() < NONCE + TAG)
        return fail(Errc::CRYPTO, "sealed data too short");
    std::size_t const n = blob.size() - NONCE - TAG;
    Bytes out(n);
    Ossl<EVP_CIPHER_CTX> c{EVP_CIPHER_CTX_new()};
    int len = 0;
    if (!c || EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key.data(), blob.data()) != 1)
        return ossl_fail("GCM init");
    if (!aad.empty() &&
        EVP_DecryptUpdate(c.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
        return ossl_fail("GCM aad");
    if (n &&
        EVP_DecryptUpdate(c.get(), out.data(), &len, blob.data() + NONCE, static_cast<int>(n)) != 1)
        return ossl_fail("GCM decrypt");
    Bytes tag(blob.end() - TAG, blob.end());
    if (EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, TAG, tag.data()) != 1)
        return ossl_fail("GCM tag");
    if (EVP_DecryptFinal_ex(c.get(), out.data() + n, &len) != 1)
        return fail(Errc::CRYPTO,
                    "authentication failed (wrong key, wrong binding or tampered data)");
    return out;
}

static Result<Ossl<EVP_PKEY>> p256_public(Ecc_point const &p)
{
    if (p.x.size() != 32 || p.y.size() != 32)
        return fail(Errc::BAD_INPUT, "P-256 point coordinates must be 32 bytes");
    Bytes enc{0x04};
    enc.insert(enc.end(), p.x.begin(), p.x.end());
    enc.insert(enc.end(), p.y.begin(), p.y.end());
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, enc.data(), enc.size()),
        OSSL_PARAM_construct_end()};
    Ossl<EVP_PKEY_CTX> c{EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)};
    EVP_PKEY *k = nullptr;
    if (!c || EVP_PKEY_fromdata_init(c.get()) != 1 ||
        EVP_PKEY_fromdata(c.get(), &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
        return fail(Errc::BAD_INPUT, "not a valid P-256 public key");
    Ossl<EVP_PKEY> key{k};
    Ossl<EVP_PKEY_CTX> check{EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr)};
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return fail(Errc::BAD_INPUT, "P-256 public key is not on the curve");
    return key;
}

Result<Ecdh_result> ecdh_ephemeral(Ecc_point const &peer)
{
    auto const peer_key = HV_TRY(p256_public(peer));
    Ossl<EVP_PKEY> eph{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    if (!eph)
        return ossl_fail("P-256 keygen");
    Ecdh_result r;
    Bytes enc(65);
    std::size_t enc_len = 0;
    if (EVP_PKEY_get_octet_string_param(eph.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc.data(),
                                        enc.size(), &enc_len) != 1 ||
        enc_len != 65 || enc[0] != 0x04)
        return ossl_fail("P-256 public export");
    r.ephemeral.x.assign(enc.begin() + 1, enc.begin() + 33);
    r.ephemeral.y.assign(enc.begin() + 33, enc.end());
    Ossl<EVP_PKEY_CTX> d{EVP_PKEY_CTX_new_from_pkey(nullptr, eph.get(), nullptr)};
    std::size_t zlen = 32;
    r.z.resize(32);
    if (!d || EVP_PKEY_derive_init(d.get()) != 1 ||
        EVP_PKEY_derive_set_peer(d.get(), peer_key.get()) != 1 ||
        EVP_PKEY_derive(d.get(), r.z.data(), &zlen) != 1 || zlen != 32)
        return ossl_fail("ECDH derive");
    return r;
}

Result<Key256> hkdf_sha256(std::span<std::uint8_t const> ikm, std::span<std::uint8_t const> info)
{
    Ossl<EVP_PKEY_CTX> c{EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr)};
    Key256 k{};
    std::size_t len = k.size();
    if (!c || EVP_PKEY_derive_init(c.get()) != 1 ||
        EVP_PKEY_CTX_set_hkdf_md(c.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set1_hkdf_key(c.get(), ikm.data(), static_cast<int>(ikm.size())) != 1 ||
        EVP_PKEY_CTX_add1_hkdf_info(c.get(), info.data(), static_cast<int>(info.size())) != 1 ||
        EVP_PKEY_derive(c.get(), k.data(), &len) != 1)
        return ossl_fail("HKDF");
    return k;
}

} // namespace dom::vtpm
