// SPDX-License-Identifier: MIT
// A checked, read-only view over a binary ACM policy, in place: no copy, no heap. load() proves
// every offset, index and name order once, so the accessors afterwards need no checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hv/acm/load_error.hpp"
#include "hv/acm/sha256.hpp"
#include "hv/result.hpp"

namespace hv::acm
{

// A name inside the policy: not NUL-terminated.
struct Name
{
    char const *data = nullptr;
    uint32_t size = 0;

    bool operator==(Name const &o) const;
};

// Byte-wise three-way comparison (shorter prefix first): the order of every table.
int compare(Name const &a, Name const &b);

// Builds a Name from a NUL-terminated string (for callers holding C strings).
Name name_of(char const *s);

enum class Label_kind : uint8_t
{
    VM = 0,       // a virtual machine (subject) label
    RESOURCE = 1, // a resource (object) label: exactly one STE type, no CW types
};

// A strictly ascending list of u16 indices in the policy's pool.
class Index_list
{
  public:
    Index_list() = default;
    Index_list(std::byte const *p, uint32_t count) : p_{p}, count_{count} {}

    uint32_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    uint16_t operator[](uint32_t i) const
    {
        return static_cast<uint16_t>(uint16_t(p_[2 * i]) | (uint16_t(p_[2 * i + 1]) << 8));
    }
    bool contains(uint16_t v) const; // binary search

  private:
    std::byte const *p_ = nullptr;
    uint32_t count_ = 0;
};

class Policy_view
{
  public:
    Policy_view() = default;

    // Checks magic, version, sizes, the SHA-256 digest, then every section, string, index
    // and name order. The bytes must outlive the view and stay unchanged.
    static Result<Policy_view, Load_error> load(std::span<std::byte const> bytes);

    std::span<std::byte const> bytes() const { return bytes_; }
    Digest digest() const;
    Name name() const;
    uint32_t version_major() const;
    uint32_t version_minor() const;
    uint32_t bootstrap_label() const { return bootstrap_; }

    uint32_t ste_type_count() const { return ste_count_; }
    uint32_t cw_type_count() const { return cw_count_; }
    uint32_t conflict_set_count() const { return conflict_count_; }
    uint32_t label_count() const { return label_count_; }

    Name ste_type_name(uint32_t t) const;
    std::optional<uint32_t> ste_type_colour(uint32_t t) const; // 0x00RRGGBB
    Name cw_type_name(uint32_t t) const;
    Index_list cw_type_sets(uint32_t t) const; // the conflict sets holding CW type t
    Name conflict_set_name(uint32_t s) const;
    Index_list conflict_set_types(uint32_t s) const;

    Name label_name(uint32_t l) const;
    std::optional<Name> label_from(uint32_t l) const; // Name@from: the label's previous name
    Label_kind label_kind(uint32_t l) const;
    std::optional<uint32_t> label_colour(uint32_t l) const;
    Index_list label_ste(uint32_t l) const;
    Index_list label_cw(uint32_t l) const;

    // Binary searches over the sorted tables.
    std::optional<uint32_t> find_label(Name n) const;
    std::optional<uint32_t> find_ste_type(Name n) const;
    std::optional<uint32_t> find_cw_type(Name n) const;
    std::optional<uint32_t> find_conflict_set(Name n) const;

  private:
    uint32_t u32(uint32_t off) const;
    Name string(uint32_t ref) const;
    Index_list pool_list(uint32_t first, uint32_t count) const;
    uint32_t record(uint32_t section, uint32_t size, uint32_t i) const;
    template <typename F>
    std::optional<uint32_t> search(uint32_t count, F const &name_at, Name n) const;

    std::span<std::byte const> bytes_{};
    uint32_t section_off_[6]{};
    uint32_t section_size_[6]{};
    uint32_t ste_count_ = 0;
    uint32_t cw_count_ = 0;
    uint32_t conflict_count_ = 0;
    uint32_t label_count_ = 0;
    uint32_t bootstrap_ = 0;

    friend class Policy_check;
};

} // namespace hv::acm
