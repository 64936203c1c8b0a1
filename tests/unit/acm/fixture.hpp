// SPDX-License-Identifier: MIT
// Shared helpers for the ACM tests: the desktop example policy, label lookup, re-digesting a
// hand-corrupted binary so that the structural checks behind the digest are reached.
#pragma once

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "hv/acm/binary_format.hpp"
#include "hv/acm/policy_view.hpp"
#include "ward/policy/policy.hpp"

namespace acm_test
{

inline std::string source_dir()
{
    char const *d = std::getenv("WARD_SOURCE_DIR");
    return d != nullptr ? d : WARD_TEST_SOURCE_DIR;
}

inline std::string read_text(std::string const &path)
{
    std::ifstream in{path, std::ios::binary};
    return std::string{std::istreambuf_iterator<char>(in), {}};
}

inline std::string desktop_xml()
{
    return read_text(source_dir() + "/domains/policy/examples/desktop.xml");
}

// Replaces the first occurrence of `from` (which must exist) in `s`.
inline std::string replaced(std::string s, std::string const &from, std::string const &to)
{
    auto const at = s.find(from);
    if (at == std::string::npos)
        throw std::runtime_error("fixture: '" + from + "' not found");
    return s.replace(at, from.size(), to);
}

inline ward::policy::Policy compile(std::string const &xml, std::string const &file = "t.xml")
{
    auto p = ward::policy::Policy::from_xml(xml, file);
    if (!p)
        throw std::runtime_error(p.error().to_string());
    return *std::move(p);
}

inline std::vector<std::byte> bytes_of(ward::policy::Policy const &p)
{
    return {p.binary().begin(), p.binary().end()};
}

inline uint32_t label(hv::acm::Policy_view const &v, char const *name)
{
    auto const l = v.find_label(hv::acm::name_of(name));
    if (!l)
        throw std::runtime_error(std::string{"no label "} + name);
    return *l;
}

inline uint16_t cw_type(hv::acm::Policy_view const &v, char const *name)
{
    return static_cast<uint16_t>(*v.find_cw_type(hv::acm::name_of(name)));
}

inline uint16_t ste_type(hv::acm::Policy_view const &v, char const *name)
{
    return static_cast<uint16_t>(*v.find_ste_type(hv::acm::name_of(name)));
}

inline uint32_t get32(std::vector<std::byte> const &b, size_t at)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= uint32_t(b[at + i]) << (8 * i);
    return v;
}

inline void put32(std::vector<std::byte> &b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = static_cast<std::byte>(v >> (8 * i));
}

// Recomputes the digest (with OpenSSL) after a deliberate corruption.
inline void redigest(std::vector<std::byte> &b)
{
    namespace f = hv::acm::format;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), nullptr);
    EVP_DigestUpdate(c, b.data(), f::OFF_DIGEST);
    EVP_DigestUpdate(c, b.data() + f::HEADER_SIZE, b.size() - f::HEADER_SIZE);
    EVP_DigestFinal_ex(c, reinterpret_cast<unsigned char *>(b.data() + f::OFF_DIGEST), nullptr);
    EVP_MD_CTX_free(c);
}

// Offset of section s and of record i in it.
inline uint32_t section(std::vector<std::byte> const &b, uint32_t s)
{
    return get32(b, hv::acm::format::OFF_SECTIONS + 8 * s);
}

} // namespace acm_test
