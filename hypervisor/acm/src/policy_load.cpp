// SPDX-License-Identifier: MIT
// Policy_view::load: the one place that decides whether a byte string is a policy. It must be
// safe on any input: every read is preceded by a range check, and nothing is trusted because
// the digest matched (anyone can compute a digest).
#include "hv/acm/binary_format.hpp"
#include "hv/acm/policy_view.hpp"
#include "le.hpp"

namespace hv::acm
{

using detail::le16;
using detail::le32;
namespace f = format;

class Policy_check
{
  public:
    explicit Policy_check(Policy_view &v) : v_{v} {}

    Result<void, Load_error> header(std::span<std::byte const> bytes);
    Result<void, Load_error> sections();
    Result<void, Load_error> types();
    Result<void, Load_error> conflicts();
    Result<void, Load_error> labels();

  private:
    bool string_ok(uint32_t ref, bool allow_empty) const;
    bool list_ok(uint32_t first, uint32_t count, uint32_t limit) const;
    uint32_t at(uint32_t off) const { return le32(v_.bytes_.data() + off); }

    Policy_view &v_;
    uint32_t total_ = 0;
};

Result<void, Load_error> Policy_check::header(std::span<std::byte const> bytes)
{
    if (bytes.size() < f::HEADER_SIZE)
        return unexpected(Load_error::TRUNCATED);
    std::byte const *p = bytes.data();
    if (le32(p + f::OFF_MAGIC) != f::MAGIC)
        return unexpected(Load_error::BAD_MAGIC);
    if (le16(p + f::OFF_VERSION) != f::VERSION)
        return unexpected(Load_error::BAD_VERSION);
    if (le16(p + f::OFF_HEADER_SIZE) != f::HEADER_SIZE)
        return unexpected(Load_error::BAD_SIZE);
    total_ = le32(p + f::OFF_TOTAL_SIZE);
    if (total_ > bytes.size())
        return unexpected(Load_error::TRUNCATED);
    if (total_ < bytes.size() || total_ < f::HEADER_SIZE)
        return unexpected(Load_error::BAD_SIZE);

    // The digest covers the whole file except the digest field itself.
    Sha256 h;
    h.update(bytes.first(f::OFF_DIGEST));
    h.update(bytes.subspan(f::HEADER_SIZE));
    Digest const d = h.finish();
    for (uint32_t i = 0; i < f::DIGEST_SIZE; ++i)
        if (static_cast<uint8_t>(p[f::OFF_DIGEST + i]) != d[i])
            return unexpected(Load_error::BAD_DIGEST);

    v_.bytes_ = bytes;
    v_.ste_count_ = le32(p + f::OFF_STE_COUNT);
    v_.cw_count_ = le32(p + f::OFF_CW_COUNT);
    v_.conflict_count_ = le32(p + f::OFF_CONFLICT_COUNT);
    v_.label_count_ = le32(p + f::OFF_LABEL_COUNT);
    v_.bootstrap_ = le32(p + f::OFF_BOOTSTRAP);
    if (le32(p + f::OFF_FLAGS) != 0 || v_.ste_count_ > f::MAX_TYPES ||
        v_.cw_count_ > f::MAX_TYPES || v_.conflict_count_ > f::MAX_CONFLICT_SETS ||
        v_.label_count_ > f::MAX_LABELS)
        return unexpected(Load_error::BAD_HEADER);
    return ok;
}

Result<void, Load_error> Policy_check::sections()
{
    uint64_t const record_size[f::SECTION_COUNT] = {
        1, f::STE_TYPE_SIZE, f::CW_TYPE_SIZE, f::CONFLICT_SIZE, f::LABEL_SIZE, 2};
    uint64_t const records[f::SECTION_COUNT] = {
        0, v_.ste_count_, v_.cw_count_, v_.conflict_count_, v_.label_count_, 0};
    for (uint32_t s = 0; s < f::SECTION_COUNT; ++s) {
        uint32_t const off = at(f::OFF_SECTIONS + 8 * s);
        uint32_t const size = at(f::OFF_SECTIONS + 8 * s + 4);
        if (off < f::HEADER_SIZE || off > total_ || size > total_ - off)
            return unexpected(Load_error::BAD_SECTION);
        bool const sized = s == f::STRINGS || s == f::POOL ? size % record_size[s] == 0
                                                           : size == records[s] * record_size[s];
        if (!sized)
            return unexpected(Load_error::BAD_SECTION);
        v_.section_off_[s] = off;
        v_.section_size_[s] = size;
    }
    if (!string_ok(at(f::OFF_POLICY_NAME), false))
        return unexpected(Load_error::BAD_STRING);
    return ok;
}

bool Policy_check::string_ok(uint32_t ref, bool allow_empty) const
{
    uint32_t const size = v_.section_size_[f::STRINGS];
    if (size < 2 || ref > size - 2)
        return false;
    uint32_t const len = le16(v_.bytes_.data() + v_.section_off_[f::STRINGS] + ref);
    return len <= size - 2 - ref && (allow_empty || len > 0);
}

// [first, first + count) lies in the pool and its entries ascend strictly below `limit`.
bool Policy_check::list_ok(uint32_t first, uint32_t count, uint32_t limit) const
{
    uint64_t const entries = v_.section_size_[f::POOL] / 2;
    if (first > entries || count > entries - first)
        return false;
    Index_list const l = v_.pool_list(first, count);
    for (uint32_t i = 0; i < count; ++i) {
        if (l[i] >= limit || (i > 0 && l[i] <= l[i - 1]))
            return false;
    }
    return true;
}

Result<void, Load_error> Policy_check::types()
{
    for (uint32_t t = 0; t < v_.ste_count_; ++t) {
        uint32_t const r = v_.record(f::STE_TYPES, f::STE_TYPE_SIZE, t);
        if (!string_ok(at(r), false))
            return unexpected(Load_error::BAD_STRING);
        if (t > 0 && compare(v_.ste_type_name(t - 1), v_.ste_type_name(t)) >= 0)
            return unexpected(Load_error::BAD_ORDER);
        uint32_t const colour = at(r + 4);
        if (colour != f::NONE && colour > 0xffffff)
            return unexpected(Load_error::BAD_HEADER);
    }
    for (uint32_t t = 0; t < v_.cw_count_; ++t) {
        uint32_t const r = v_.record(f::CW_TYPES, f::CW_TYPE_SIZE, t);
        if (!string_ok(at(r), false))
            return unexpected(Load_error::BAD_STRING);
        if (t > 0 && compare(v_.cw_type_name(t - 1), v_.cw_type_name(t)) >= 0)
            return unexpected(Load_error::BAD_ORDER);
        if (!list_ok(at(r + 4), at(r + 8), v_.conflict_count_))
            return unexpected(Load_error::BAD_INDEX);
    }
    return ok;
}

Result<void, Load_error> Policy_check::conflicts()
{
    uint64_t members = 0;
    for (uint32_t s = 0; s < v_.conflict_count_; ++s) {
        uint32_t const r = v_.record(f::CONFLICTS, f::CONFLICT_SIZE, s);
        if (!string_ok(at(r), false))
            return unexpected(Load_error::BAD_STRING);
        if (s > 0 && compare(v_.conflict_set_name(s - 1), v_.conflict_set_name(s)) >= 0)
            return unexpected(Load_error::BAD_ORDER);
        if (!list_ok(at(r + 4), at(r + 8), v_.cw_count_))
            return unexpected(Load_error::BAD_INDEX);
        if (at(r + 8) < 2)
            return unexpected(Load_error::BAD_CONFLICT);
        members += at(r + 8);
    }
    // Each type's list of sets names only sets that hold it, without repeats (ascending), and
    // the lists together are as long as the sets together: so they are exactly the membership.
    uint64_t listed = 0;
    for (uint32_t t = 0; t < v_.cw_count_; ++t) {
        Index_list const sets = v_.cw_type_sets(t);
        for (uint32_t i = 0; i < sets.size(); ++i)
            if (!v_.conflict_set_types(sets[i]).contains(static_cast<uint16_t>(t)))
                return unexpected(Load_error::BAD_CONFLICT);
        listed += sets.size();
    }
    if (listed != members)
        return unexpected(Load_error::BAD_CONFLICT);
    return ok;
}

Result<void, Load_error> Policy_check::labels()
{
    for (uint32_t l = 0; l < v_.label_count_; ++l) {
        uint32_t const r = v_.record(f::LABELS, f::LABEL_SIZE, l);
        if (!string_ok(at(r + f::LABEL_NAME), false))
            return unexpected(Load_error::BAD_STRING);
        uint32_t const from = at(r + f::LABEL_FROM);
        if (from != f::NONE && !string_ok(from, false))
            return unexpected(Load_error::BAD_STRING);
        if (l > 0 && compare(v_.label_name(l - 1), v_.label_name(l)) >= 0)
            return unexpected(Load_error::BAD_ORDER);
        // Kind byte 0 or 1, then three reserved zero bytes.
        uint32_t const kind = at(r + f::LABEL_KIND);
        uint32_t const colour = at(r + f::LABEL_COLOUR);
        if (kind > 1 || (colour != f::NONE && colour > 0xffffff))
            return unexpected(Load_error::BAD_LABEL);
        uint32_t const ste_count = at(r + f::LABEL_STE_COUNT);
        uint32_t const cw_count = at(r + f::LABEL_CW_COUNT);
        if (!list_ok(at(r + f::LABEL_STE_FIRST), ste_count, v_.ste_count_) ||
            !list_ok(at(r + f::LABEL_CW_FIRST), cw_count, v_.cw_count_))
            return unexpected(Load_error::BAD_INDEX);
        if (kind == 1 && (ste_count != 1 || cw_count != 0))
            return unexpected(Load_error::BAD_LABEL);
    }
    if (v_.bootstrap_ >= v_.label_count_ || v_.label_kind(v_.bootstrap_) != Label_kind::VM)
        return unexpected(Load_error::BAD_BOOTSTRAP);
    return ok;
}

Result<Policy_view, Load_error> Policy_view::load(std::span<std::byte const> bytes)
{
    Policy_view v;
    Policy_check c{v};
    HV_TRY(c.header(bytes));
    HV_TRY(c.sections());
    HV_TRY(c.types());
    HV_TRY(c.conflicts());
    HV_TRY(c.labels());
    return v;
}

} // namespace hv::acm
