// SPDX-License-Identifier: MIT
// Serialises a checked Plan into the binary policy (docs/policy.md, "Binary format").
#include <openssl/evp.h>

#include <map>
#include <stdexcept>

#include "hv/acm/binary_format.hpp"
#include "plan.hpp"

namespace ward::policy::detail
{
namespace
{

namespace f = hv::acm::format;

class Out
{
  public:
    void u8(uint8_t v) { bytes_.push_back(static_cast<std::byte>(v)); }
    void u16(uint16_t v)
    {
        u8(static_cast<uint8_t>(v));
        u8(static_cast<uint8_t>(v >> 8));
    }
    void u32(uint32_t v)
    {
        u16(static_cast<uint16_t>(v));
        u16(static_cast<uint16_t>(v >> 16));
    }
    void put32(size_t at, uint32_t v)
    {
        for (int i = 0; i < 4; ++i)
            bytes_[at + i] = static_cast<std::byte>(v >> (8 * i));
    }
    void align(size_t a)
    {
        while (bytes_.size() % a != 0)
            u8(0);
    }
    size_t size() const { return bytes_.size(); }
    std::vector<std::byte> &bytes() { return bytes_; }

  private:
    std::vector<std::byte> bytes_;
};

// Strings, deduplicated, as {u16 length, bytes}, referenced by offset into the section.
class Strings
{
  public:
    uint32_t ref(std::string const &s)
    {
        auto const [it, fresh] = refs_.emplace(s, static_cast<uint32_t>(out_.size()));
        if (fresh) {
            out_.u16(static_cast<uint16_t>(s.size()));
            for (char const c : s)
                out_.u8(static_cast<uint8_t>(c));
        }
        return it->second;
    }
    std::vector<std::byte> &bytes() { return out_.bytes(); }

  private:
    std::map<std::string, uint32_t> refs_;
    Out out_;
};

class Pool
{
  public:
    // Appends a list; returns its first entry index.
    uint32_t add(std::vector<uint16_t> const &list)
    {
        auto const first = static_cast<uint32_t>(entries_.size());
        entries_.insert(entries_.end(), list.begin(), list.end());
        return first;
    }
    std::vector<uint16_t> const &entries() const { return entries_; }

  private:
    std::vector<uint16_t> entries_;
};

uint32_t colour(std::optional<uint32_t> c)
{
    return c ? *c : f::NONE;
}

} // namespace

std::vector<std::byte> write(Plan const &plan)
{
    Strings strings;
    Pool pool;
    Out ste, cw, sets, labels;
    uint32_t const name_ref = strings.ref(plan.name);
    for (size_t t = 0; t < plan.ste.size(); ++t) {
        ste.u32(strings.ref(plan.ste[t]));
        ste.u32(colour(plan.ste_colour[t]));
    }
    for (size_t t = 0; t < plan.cw.size(); ++t) {
        cw.u32(strings.ref(plan.cw[t]));
        cw.u32(pool.add(plan.cw_sets[t]));
        cw.u32(static_cast<uint32_t>(plan.cw_sets[t].size()));
    }
    for (auto const &s : plan.sets) {
        sets.u32(strings.ref(s.name));
        sets.u32(pool.add(s.types));
        sets.u32(static_cast<uint32_t>(s.types.size()));
    }
    for (auto const &l : plan.labels) {
        labels.u32(strings.ref(l.name));
        labels.u32(l.from ? strings.ref(*l.from) : f::NONE);
        labels.u32(l.resource ? 1 : 0); // kind byte and three reserved zero bytes
        labels.u32(colour(l.colour));
        labels.u32(pool.add(l.ste));
        labels.u32(static_cast<uint32_t>(l.ste.size()));
        labels.u32(pool.add(l.cw));
        labels.u32(static_cast<uint32_t>(l.cw.size()));
    }

    Out file;
    for (uint32_t i = 0; i < f::HEADER_SIZE; ++i)
        file.u8(0);
    uint32_t offsets[f::SECTION_COUNT];
    uint32_t sizes[f::SECTION_COUNT];
    auto section = [&](uint32_t s, std::vector<std::byte> const &b) {
        file.align(4);
        offsets[s] = static_cast<uint32_t>(file.size());
        sizes[s] = static_cast<uint32_t>(b.size());
        file.bytes().insert(file.bytes().end(), b.begin(), b.end());
    };
    section(f::STRINGS, strings.bytes());
    section(f::STE_TYPES, ste.bytes());
    section(f::CW_TYPES, cw.bytes());
    section(f::CONFLICTS, sets.bytes());
    section(f::LABELS, labels.bytes());
    Out pool_bytes;
    for (uint16_t const e : pool.entries())
        pool_bytes.u16(e);
    section(f::POOL, pool_bytes.bytes());
    if (file.size() > 0xffffffffu)
        throw std::length_error("binary policy larger than 4 GiB");

    file.put32(f::OFF_MAGIC, f::MAGIC);
    file.put32(f::OFF_VERSION, f::VERSION | (f::HEADER_SIZE << 16));
    file.put32(f::OFF_TOTAL_SIZE, static_cast<uint32_t>(file.size()));
    file.put32(f::OFF_FLAGS, 0);
    file.put32(f::OFF_POLICY_MAJOR, plan.major);
    file.put32(f::OFF_POLICY_MINOR, plan.minor);
    file.put32(f::OFF_POLICY_NAME, name_ref);
    file.put32(f::OFF_BOOTSTRAP, plan.bootstrap);
    file.put32(f::OFF_STE_COUNT, static_cast<uint32_t>(plan.ste.size()));
    file.put32(f::OFF_CW_COUNT, static_cast<uint32_t>(plan.cw.size()));
    file.put32(f::OFF_CONFLICT_COUNT, static_cast<uint32_t>(plan.sets.size()));
    file.put32(f::OFF_LABEL_COUNT, static_cast<uint32_t>(plan.labels.size()));
    for (uint32_t s = 0; s < f::SECTION_COUNT; ++s) {
        file.put32(f::OFF_SECTIONS + 8 * s, offsets[s]);
        file.put32(f::OFF_SECTIONS + 8 * s + 4, sizes[s]);
    }

    // SHA-256 over everything but the digest field, with OpenSSL (the loader has its own).
    auto &b = file.bytes();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool const good =
        ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
        EVP_DigestUpdate(ctx, b.data(), f::OFF_DIGEST) == 1 &&
        EVP_DigestUpdate(ctx, b.data() + f::HEADER_SIZE, b.size() - f::HEADER_SIZE) == 1 &&
        EVP_DigestFinal_ex(ctx, md, &md_len) == 1 && md_len == f::DIGEST_SIZE;
    EVP_MD_CTX_free(ctx);
    if (!good)
        throw std::runtime_error("OpenSSL SHA-256 failed");
    for (uint32_t i = 0; i < f::DIGEST_SIZE; ++i)
        b[f::OFF_DIGEST + i] = static_cast<std::byte>(md[i]);
    return std::move(b);
}

} // namespace ward::policy::detail
