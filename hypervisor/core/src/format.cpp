// SPDX-License-Identifier: MIT
// Freestanding snprintf subset; see format.hpp.
#include "hv/format.hpp"

#include <cstdint>

namespace hv
{
namespace
{

class Sink
{
  public:
    Sink(char *buf, size_t size) : buf_{buf}, size_{size} {}

    void put(char c)
    {
        if (len_ + 1 < size_)
            buf_[len_] = c;
        ++len_;
    }
    void repeat(char c, size_t n)
    {
        for (size_t i = 0; i < n; ++i)
            put(c);
    }
    size_t finish()
    {
        if (size_ > 0)
            buf_[len_ < size_ ? len_ : size_ - 1] = '\0';
        return len_;
    }

  private:
    char *buf_;
    size_t size_;
    size_t len_ = 0;
};

struct Spec
{
    bool left = false;
    bool zero = false;
    size_t width = 0;
    bool has_precision = false;
    size_t precision = 0;
    int length = 0; // 0: int, 1: long, 2: long long, 3: size_t
};

void pad_and_emit(Sink &out, Spec const &s, char const *body, size_t body_len, char const *prefix,
                  size_t prefix_len)
{
    size_t const total = body_len + prefix_len;
    size_t const pad = s.width > total ? s.width - total : 0;
    if (!s.left && !s.zero)
        out.repeat(' ', pad);
    for (size_t i = 0; i < prefix_len; ++i)
        out.put(prefix[i]);
    if (!s.left && s.zero)
        out.repeat('0', pad);
    for (size_t i = 0; i < body_len; ++i)
        out.put(body[i]);
    if (s.left)
        out.repeat(' ', pad);
}

void emit_unsigned(Sink &out, Spec const &s, uint64_t v, unsigned base, bool upper, bool negative,
                   bool pointer)
{
    char digits[24];
    size_t n = 0;
    char const *const set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = set[v % base];
        v /= base;
    } while (v != 0);
    char body[24];
    for (size_t i = 0; i < n; ++i)
        body[i] = digits[n - 1 - i];
    char const *prefix = negative ? "-" : (pointer ? "0x" : "");
    size_t const prefix_len = negative ? 1 : (pointer ? 2 : 0);
    pad_and_emit(out, s, body, n, prefix, prefix_len);
}

uint64_t fetch_unsigned(Spec const &s, va_list &ap)
{
    switch (s.length) {
    case 1: return va_arg(ap, unsigned long);
    case 2: return va_arg(ap, unsigned long long);
    case 3: return va_arg(ap, size_t);
    default: return va_arg(ap, unsigned int);
    }
}

int64_t fetch_signed(Spec const &s, va_list &ap)
{
    switch (s.length) {
    case 1: return va_arg(ap, long);
    case 2: return va_arg(ap, long long);
    case 3: return static_cast<int64_t>(va_arg(ap, size_t));
    default: return va_arg(ap, int);
    }
}

// Parses flags, width, precision and length after '%'; returns the conversion character.
char parse_spec(char const *&p, Spec &s)
{
    for (;; ++p) {
        if (*p == '-')
            s.left = true;
        else if (*p == '0')
            s.zero = true;
        else
            break;
    }
    while (*p >= '0' && *p <= '9')
        s.width = s.width * 10 + static_cast<size_t>(*p++ - '0');
    if (*p == '.') {
        ++p;
        s.has_precision = true;
        while (*p >= '0' && *p <= '9')
            s.precision = s.precision * 10 + static_cast<size_t>(*p++ - '0');
    }
    if (*p == 'l') {
        ++p;
        s.length = 1;
        if (*p == 'l') {
            ++p;
            s.length = 2;
        }
    } else if (*p == 'z') {
        ++p;
        s.length = 3;
    }
    return *p;
}

} // namespace

size_t vformat(char *buf, size_t size, char const *fmt, va_list ap_in)
{
    Sink out{buf, size};
    va_list ap;
    va_copy(ap, ap_in);
    for (char const *p = fmt; *p != '\0'; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        char const *const start = p++;
        Spec s;
        char const conv = parse_spec(p, s);
        switch (conv) {
        case '%': out.put('%'); break;
        case 'c': {
            char const c = static_cast<char>(va_arg(ap, int));
            s.zero = false;
            pad_and_emit(out, s, &c, 1, "", 0);
            break;
        }
        case 's': {
            char const *str = va_arg(ap, char const *);
            if (str == nullptr)
                str = "(null)";
            size_t len = 0;
            while (str[len] != '\0' && (!s.has_precision || len < s.precision))
                ++len;
            s.zero = false;
            pad_and_emit(out, s, str, len, "", 0);
            break;
        }
        case 'd':
        case 'i': {
            int64_t const v = fetch_signed(s, ap);
            uint64_t const mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
            emit_unsigned(out, s, mag, 10, false, v < 0, false);
            break;
        }
        case 'u': emit_unsigned(out, s, fetch_unsigned(s, ap), 10, false, false, false); break;
        case 'x': emit_unsigned(out, s, fetch_unsigned(s, ap), 16, false, false, false); break;
        case 'X': emit_unsigned(out, s, fetch_unsigned(s, ap), 16, true, false, false); break;
        case 'p': {
            auto const v = reinterpret_cast<uintptr_t>(va_arg(ap, void *));
            emit_unsigned(out, s, v, 16, false, false, true);
            break;
        }
        default:
            // Unsupported or truncated conversion: copy it through literally.
            for (char const *q = start; q <= p && *q != '\0'; ++q)
                out.put(*q);
            if (*p == '\0')
                --p;
            break;
        }
    }
    va_end(ap);
    return out.finish();
}

size_t format(char *buf, size_t size, char const *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t const n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

} // namespace hv
