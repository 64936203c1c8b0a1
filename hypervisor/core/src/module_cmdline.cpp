// SPDX-License-Identifier: MIT
// Domain module command line parser; grammar in docs/boot.md.
#include "hv/module_cmdline.hpp"

#include "cmdline_tokens.hpp"

namespace hv
{
namespace
{

using detail::same;
using detail::Token;
using Text = std::span<char const>;

enum Key : uint8_t
{
    NAME,
    LABEL,
    MEM,
    CAPS,
    VCPUS,
    TYPE,
    INITRD_FOR,
    EVENTLOG_FOR,
    SERVICE,
    KEY_COUNT
};

constexpr char const *KEY_NAMES[KEY_COUNT] = {
    "name", "label", "mem", "caps", "vcpus", "type", "initrd_for", "eventlog_for", "service"};

bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool label_char(char c)
{
    return name_char(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == ':';
}

Result<Domain_name, Cmdline_error> parse_name(Text v)
{
    if (v.size() > DOMAIN_NAME_MAX)
        return unexpected(Cmdline_error::NAME_TOO_LONG);
    if (!(v[0] >= 'a' && v[0] <= 'z'))
        return unexpected(Cmdline_error::BAD_NAME);
    Domain_name n;
    for (char c : v) {
        if (!name_char(c))
            return unexpected(Cmdline_error::BAD_NAME);
        n.chars[n.length++] = c;
    }
    return n;
}

Result<Domain_label, Cmdline_error> parse_label(Text v)
{
    if (v.size() > DOMAIN_LABEL_MAX)
        return unexpected(Cmdline_error::LABEL_TOO_LONG);
    Domain_label l;
    for (char c : v) {
        if (!label_char(c))
            return unexpected(Cmdline_error::BAD_LABEL);
        l.chars[l.length++] = c;
    }
    return l;
}

Result<uint64_t, Cmdline_error> parse_decimal(Text v)
{
    if (v.empty())
        return unexpected(Cmdline_error::BAD_NUMBER);
    uint64_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return unexpected(Cmdline_error::BAD_NUMBER);
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, c - '0', &n))
            return unexpected(Cmdline_error::BAD_NUMBER);
    }
    return n;
}

Result<Cap_set, Cmdline_error> parse_caps(Text v)
{
    Cap_set caps;
    if (same(v, "none"))
        return caps;
    size_t start = 0;
    for (size_t i = 0; i <= v.size(); ++i) {
        if (i < v.size() && v[i] != ',')
            continue;
        auto const cap = cap_from_name(v.subspan(start, i - start));
        if (!cap)
            return unexpected(Cmdline_error::UNKNOWN_CAPABILITY);
        if (caps.has(*cap))
            return unexpected(Cmdline_error::DUPLICATE_CAPABILITY);
        caps.add(*cap);
        start = i + 1;
    }
    return caps;
}

Result<void, Cmdline_error> apply(Key key, Text v, Module_config &m)
{
    Domain_config &d = m.domain;
    switch (key) {
    case NAME: d.name = HV_TRY(parse_name(v)); return ok;
    case LABEL: d.label = HV_TRY(parse_label(v)); return ok;
    case MEM: {
        uint64_t const bytes = HV_TRY(parse_size(v));
        if (bytes % 4096 != 0)
            return unexpected(Cmdline_error::SIZE_NOT_PAGE_MULTIPLE);
        if (bytes < DOMAIN_MEM_MIN)
            return unexpected(Cmdline_error::SIZE_TOO_SMALL);
        if (bytes > DOMAIN_MEM_MAX)
            return unexpected(Cmdline_error::SIZE_TOO_LARGE);
        d.mem_bytes = bytes;
        return ok;
    }
    case CAPS: d.caps = HV_TRY(parse_caps(v)); return ok;
    case VCPUS: {
        auto const n = parse_decimal(v);
        if (!n || *n < 1 || *n > MAX_DOMAIN_VCPUS)
            return unexpected(Cmdline_error::BAD_VCPUS);
        d.vcpus = static_cast<uint32_t>(*n);
        return ok;
    }
    case TYPE:
        if (!same(v, "pvh"))
            return unexpected(Cmdline_error::UNKNOWN_TYPE);
        d.type = Domain_type::PVH;
        return ok;
    case INITRD_FOR:
        m.role = Module_role::INITRD;
        m.owner = HV_TRY(parse_name(v));
        return ok;
    case EVENTLOG_FOR:
        m.role = Module_role::EVENTLOG;
        m.owner = HV_TRY(parse_name(v));
        return ok;
    case SERVICE:
        if (same(v, "yes"))
            d.service = true;
        else if (same(v, "no"))
            d.service = false;
        else
            return unexpected(Cmdline_error::BAD_SERVICE);
        return ok;
    case KEY_COUNT: break;
    }
    return unexpected(Cmdline_error::UNKNOWN_KEY);
}

Cmdline_failure fail(Cmdline_error e, uint32_t column)
{
    return {e, column};
}

} // namespace

Result<uint64_t, Cmdline_error> parse_size(Text text)
{
    if (text.empty())
        return unexpected(Cmdline_error::BAD_SIZE);
    unsigned shift = 0;
    switch (text.back()) {
    case 'K':
    case 'k': shift = 10; break;
    case 'M':
    case 'm': shift = 20; break;
    case 'G':
    case 'g': shift = 30; break;
    default: break;
    }
    auto const n = parse_decimal(shift != 0 ? text.first(text.size() - 1) : text);
    if (!n || (shift != 0 && (*n >> (64 - shift)) != 0))
        return unexpected(Cmdline_error::BAD_SIZE);
    return *n << shift;
}

Result<Module_config, Cmdline_failure> parse_module_cmdline(Text text)
{
    detail::Tokenizer tokens{text};
    Module_config m;
    bool seen[KEY_COUNT] = {};
    bool any = false;
    for (;;) {
        auto const t = HV_TRY(tokens.next());
        if (!t)
            break;
        any = true;
        if (!t->has_value)
            return unexpected(fail(Cmdline_error::EXPECTED_KEY_VALUE, t->column));
        size_t k = 0;
        while (k < KEY_COUNT && !same(t->key, KEY_NAMES[k]))
            ++k;
        if (k == KEY_COUNT)
            return unexpected(fail(Cmdline_error::UNKNOWN_KEY, t->column));
        if (seen[k])
            return unexpected(fail(Cmdline_error::DUPLICATE_KEY, t->column));
        seen[k] = true;
        if (t->value.empty())
            return unexpected(fail(Cmdline_error::EMPTY_VALUE, t->column));
        auto const r = apply(static_cast<Key>(k), t->value, m);
        if (!r)
            return unexpected(fail(r.error(), t->column));
    }
    Text const guest = tokens.rest();
    if (!any && guest.empty())
        return unexpected(fail(Cmdline_error::EMPTY, 0));
    if (seen[INITRD_FOR] || seen[EVENTLOG_FOR]) {
        // A data module for a domain: exactly one of the *_for= keys, nothing else.
        for (size_t k = 0; k < KEY_COUNT; ++k)
            if (seen[k] && k != (seen[INITRD_FOR] ? INITRD_FOR : EVENTLOG_FOR))
                return unexpected(fail(Cmdline_error::INITRD_WITH_DOMAIN_KEYS, 0));
        if (!guest.empty())
            return unexpected(fail(Cmdline_error::INITRD_WITH_DOMAIN_KEYS, 0));
        return m;
    }
    if (!seen[NAME])
        return unexpected(fail(Cmdline_error::MISSING_NAME, 0));
    if (!seen[MEM])
        return unexpected(fail(Cmdline_error::MISSING_MEM, 0));
    if (guest.size() > GUEST_CMDLINE_MAX)
        return unexpected(fail(Cmdline_error::GUEST_CMDLINE_TOO_LONG,
                               static_cast<uint32_t>(text.size() - guest.size())));
    if (!seen[LABEL]) {
        for (size_t i = 0; i < m.domain.name.length; ++i)
            m.domain.label.chars[i] = m.domain.name.chars[i];
        m.domain.label.length = m.domain.name.length;
    }
    m.domain.guest_cmdline = guest;
    return m;
}

char const *error_name(Cmdline_error e)
{
    switch (e) {
    case Cmdline_error::EMPTY: return "empty command line";
    case Cmdline_error::BAD_CHARACTER: return "character not allowed in a command line";
    case Cmdline_error::EXPECTED_KEY_VALUE: return "expected key=value";
    case Cmdline_error::UNKNOWN_KEY: return "unknown key";
    case Cmdline_error::DUPLICATE_KEY: return "duplicate key";
    case Cmdline_error::EMPTY_VALUE: return "empty value";
    case Cmdline_error::BAD_NAME: return "bad name (a-z first, then a-z 0-9 _ -)";
    case Cmdline_error::NAME_TOO_LONG: return "name longer than 31 characters";
    case Cmdline_error::BAD_LABEL: return "bad label (A-Z a-z 0-9 _ - . :)";
    case Cmdline_error::LABEL_TOO_LONG: return "label longer than 63 characters";
    case Cmdline_error::BAD_SIZE: return "bad size (digits with an optional K, M or G)";
    case Cmdline_error::SIZE_NOT_PAGE_MULTIPLE: return "memory size is not a multiple of 4 KiB";
    case Cmdline_error::SIZE_TOO_SMALL: return "memory size below 1 MiB";
    case Cmdline_error::SIZE_TOO_LARGE: return "memory size above 1 TiB";
    case Cmdline_error::UNKNOWN_CAPABILITY: return "unknown capability";
    case Cmdline_error::DUPLICATE_CAPABILITY: return "duplicate capability";
    case Cmdline_error::BAD_VCPUS: return "bad vcpu count";
    case Cmdline_error::UNKNOWN_TYPE: return "unknown domain type (only pvh)";
    case Cmdline_error::BAD_SERVICE: return "bad service (yes or no)";
    case Cmdline_error::MISSING_NAME: return "missing name=";
    case Cmdline_error::MISSING_MEM: return "missing mem=";
    case Cmdline_error::INITRD_WITH_DOMAIN_KEYS:
        return "initrd_for= and eventlog_for= take no other keys";
    case Cmdline_error::GUEST_CMDLINE_TOO_LONG: return "guest command line too long";
    case Cmdline_error::BAD_NUMBER: return "bad number";
    case Cmdline_error::UNKNOWN_OPTION: return "unknown option";
    }
    return "unknown command line error";
}

} // namespace hv
