// SPDX-License-Identifier: MIT
// Hypervisor command line options; see hv_options.hpp and docs/boot.md.
#include "hv/hv_options.hpp"

#include "cmdline_tokens.hpp"

namespace hv
{
namespace
{

using detail::same;
using Text = std::span<char const>;

Result<uint64_t, Cmdline_error> parse_number(Text v)
{
    bool const hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    Text const digits = hex ? v.subspan(2) : v;
    if (digits.empty() || digits.size() > 16)
        return unexpected(Cmdline_error::BAD_NUMBER);
    uint64_t n = 0;
    for (char c : digits) {
        unsigned d = 0;
        if (c >= '0' && c <= '9')
            d = static_cast<unsigned>(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = static_cast<unsigned>(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            d = static_cast<unsigned>(c - 'A' + 10);
        else
            return unexpected(Cmdline_error::BAD_NUMBER);
        if (__builtin_mul_overflow(n, hex ? 16 : 10, &n) || __builtin_add_overflow(n, d, &n))
            return unexpected(Cmdline_error::BAD_NUMBER);
    }
    return n;
}

Result<uint16_t, Cmdline_error> parse_serial(Text v)
{
    constexpr struct
    {
        char const *name;
        uint16_t port;
    } named[] = {{"com1", 0x3f8}, {"com2", 0x2f8}, {"com3", 0x3e8}, {"com4", 0x2e8}, {"none", 0}};
    for (auto const &n : named)
        if (same(v, n.name))
            return n.port;
    uint64_t const port = HV_TRY(parse_number(v));
    if (port == 0 || port > 0xfff8)
        return unexpected(Cmdline_error::BAD_NUMBER);
    return static_cast<uint16_t>(port);
}

Result<void, Cmdline_error> apply(detail::Token const &t, Hv_options &o)
{
    if (same(t.key, "bench") && !t.has_value) {
        o.bench = true;
        return ok;
    }
    if (!t.has_value)
        return unexpected(Cmdline_error::UNKNOWN_OPTION);
    if (t.value.empty())
        return unexpected(Cmdline_error::EMPTY_VALUE);
    if (same(t.key, "serial")) {
        o.serial_port = HV_TRY(parse_serial(t.value));
        return ok;
    }
    if (same(t.key, "slice_us")) {
        uint64_t const us = HV_TRY(parse_number(t.value));
        if (us < SLICE_US_MIN || us > SLICE_US_MAX)
            return unexpected(Cmdline_error::BAD_NUMBER);
        o.slice_us = static_cast<uint32_t>(us);
        return ok;
    }
    if (same(t.key, "test")) {
        if (t.value.size() > 31)
            return unexpected(Cmdline_error::NAME_TOO_LONG);
        o.test = {};
        for (char c : t.value) {
            bool const good =
                (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!good)
                return unexpected(Cmdline_error::BAD_NAME);
            o.test.chars[o.test.length++] = c;
        }
        return ok;
    }
    return unexpected(Cmdline_error::UNKNOWN_OPTION);
}

} // namespace

Result<Hv_options, Cmdline_failure> parse_hv_options(Text text)
{
    detail::Tokenizer tokens{text};
    Hv_options o;
    bool seen[4] = {};
    char const *const keys[4] = {"serial", "slice_us", "bench", "test"};
    bool first = true;
    for (;;) {
        auto const t = HV_TRY(tokens.next());
        if (!t)
            break;
        bool const path = first && !t->key.empty() && t->key[0] == '/';
        first = false;
        if (path)
            continue;
        for (size_t k = 0; k < 4; ++k) {
            if (!same(t->key, keys[k]))
                continue;
            if (seen[k])
                return unexpected(Cmdline_failure{Cmdline_error::DUPLICATE_KEY, t->column});
            seen[k] = true;
        }
        auto const r = apply(*t, o);
        if (!r)
            return unexpected(Cmdline_failure{r.error(), t->column});
    }
    if (!tokens.rest().empty())
        return unexpected(
            Cmdline_failure{Cmdline_error::UNKNOWN_OPTION,
                            static_cast<uint32_t>(text.size() - tokens.rest().size())});
    return o;
}

} // namespace hv
