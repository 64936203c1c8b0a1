// SPDX-License-Identifier: MIT
// Accessors of a loaded policy. Every offset used here was proven in range by load().
#include "hv/acm/policy_view.hpp"

#include "hv/acm/binary_format.hpp"
#include "le.hpp"

namespace hv::acm
{

using detail::le16;
using detail::le32;
namespace f = format;

bool Name::operator==(Name const &o) const
{
    return compare(*this, o) == 0;
}

int compare(Name const &a, Name const &b)
{
    uint32_t const n = a.size < b.size ? a.size : b.size;
    for (uint32_t i = 0; i < n; ++i) {
        auto const x = static_cast<unsigned char>(a.data[i]);
        auto const y = static_cast<unsigned char>(b.data[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (a.size == b.size)
        return 0;
    return a.size < b.size ? -1 : 1;
}

Name name_of(char const *s)
{
    uint32_t n = 0;
    while (s[n] != '\0')
        ++n;
    return Name{s, n};
}

bool Index_list::contains(uint16_t v) const
{
    uint32_t lo = 0, hi = count_;
    while (lo < hi) {
        uint32_t const mid = lo + (hi - lo) / 2;
        uint16_t const x = (*this)[mid];
        if (x == v)
            return true;
        if (x < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

uint32_t Policy_view::u32(uint32_t off) const
{
    return le32(bytes_.data() + off);
}

Name Policy_view::string(uint32_t ref) const
{
    std::byte const *p = bytes_.data() + section_off_[f::STRINGS] + ref;
    return Name{reinterpret_cast<char const *>(p + 2), le16(p)};
}

Index_list Policy_view::pool_list(uint32_t first, uint32_t count) const
{
    return Index_list{bytes_.data() + section_off_[f::POOL] + 2 * size_t{first}, count};
}

uint32_t Policy_view::record(uint32_t section, uint32_t size, uint32_t i) const
{
    return section_off_[section] + size * i;
}

Digest Policy_view::digest() const
{
    Digest d{};
    for (uint32_t i = 0; i < f::DIGEST_SIZE; ++i)
        d[i] = static_cast<uint8_t>(bytes_[f::OFF_DIGEST + i]);
    return d;
}

Name Policy_view::name() const
{
    return string(u32(f::OFF_POLICY_NAME));
}

uint32_t Policy_view::version_major() const
{
    return u32(f::OFF_POLICY_MAJOR);
}

uint32_t Policy_view::version_minor() const
{
    return u32(f::OFF_POLICY_MINOR);
}

Name Policy_view::ste_type_name(uint32_t t) const
{
    return string(u32(record(f::STE_TYPES, f::STE_TYPE_SIZE, t)));
}

std::optional<uint32_t> Policy_view::ste_type_colour(uint32_t t) const
{
    uint32_t const c = u32(record(f::STE_TYPES, f::STE_TYPE_SIZE, t) + 4);
    if (c == f::NONE)
        return std::nullopt;
    return c;
}

Name Policy_view::cw_type_name(uint32_t t) const
{
    return string(u32(record(f::CW_TYPES, f::CW_TYPE_SIZE, t)));
}

Index_list Policy_view::cw_type_sets(uint32_t t) const
{
    uint32_t const r = record(f::CW_TYPES, f::CW_TYPE_SIZE, t);
    return pool_list(u32(r + 4), u32(r + 8));
}

Name Policy_view::conflict_set_name(uint32_t s) const
{
    return string(u32(record(f::CONFLICTS, f::CONFLICT_SIZE, s)));
}

Index_list Policy_view::conflict_set_types(uint32_t s) const
{
    uint32_t const r = record(f::CONFLICTS, f::CONFLICT_SIZE, s);
    return pool_list(u32(r + 4), u32(r + 8));
}

Name Policy_view::label_name(uint32_t l) const
{
    return string(u32(record(f::LABELS, f::LABEL_SIZE, l) + f::LABEL_NAME));
}

std::optional<Name> Policy_view::label_from(uint32_t l) const
{
    uint32_t const ref = u32(record(f::LABELS, f::LABEL_SIZE, l) + f::LABEL_FROM);
    if (ref == f::NONE)
        return std::nullopt;
    return string(ref);
}

Label_kind Policy_view::label_kind(uint32_t l) const
{
    auto const k = bytes_[record(f::LABELS, f::LABEL_SIZE, l) + f::LABEL_KIND];
    return k == std::byte{0} ? Label_kind::VM : Label_kind::RESOURCE;
}

std::optional<uint32_t> Policy_view::label_colour(uint32_t l) const
{
    uint32_t const c = u32(record(f::LABELS, f::LABEL_SIZE, l) + f::LABEL_COLOUR);
    if (c == f::NONE)
        return std::nullopt;
    return c;
}

Index_list Policy_view::label_ste(uint32_t l) const
{
    uint32_t const r = record(f::LABELS, f::LABEL_SIZE, l);
    return pool_list(u32(r + f::LABEL_STE_FIRST), u32(r + f::LABEL_STE_COUNT));
}

Index_list Policy_view::label_cw(uint32_t l) const
{
    uint32_t const r = record(f::LABELS, f::LABEL_SIZE, l);
    return pool_list(u32(r + f::LABEL_CW_FIRST), u32(r + f::LABEL_CW_COUNT));
}

template <typename F>
std::optional<uint32_t> Policy_view::search(uint32_t count, F const &name_at, Name n) const
{
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t const mid = lo + (hi - lo) / 2;
        int const c = compare(name_at(mid), n);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return std::nullopt;
}

std::optional<uint32_t> Policy_view::find_label(Name n) const
{
    return search(
        label_count_, [this](uint32_t i) { return label_name(i); }, n);
}

std::optional<uint32_t> Policy_view::find_ste_type(Name n) const
{
    return search(
        ste_count_, [this](uint32_t i) { return ste_type_name(i); }, n);
}

std::optional<uint32_t> Policy_view::find_cw_type(Name n) const
{
    return search(
        cw_count_, [this](uint32_t i) { return cw_type_name(i); }, n);
}

std::optional<uint32_t> Policy_view::find_conflict_set(Name n) const
{
    return search(
        conflict_count_, [this](uint32_t i) { return conflict_set_name(i); }, n);
}

} // namespace hv::acm
