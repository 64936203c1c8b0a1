// SPDX-License-Identifier: MIT
// hv::format against the C library's snprintf, which it must match for every supported case.
#include "hv/format.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

namespace
{

template <typename... A> void expect_same(char const *fmt, A... args)
{
    char ours[128];
    char libc[128];
    size_t const n = hv::format(ours, sizeof ours, fmt, args...);
    int const m = std::snprintf(libc, sizeof libc, fmt, args...);
    EXPECT_EQ(n, static_cast<size_t>(m)) << fmt;
    EXPECT_STREQ(ours, libc) << fmt;
}

TEST(Format, MatchesSnprintfForIntegers)
{
    expect_same("%d %i %u", 0, -1, 4000000000u);
    expect_same("%d", INT_MIN);
    expect_same("%ld %lu", LONG_MIN, ULONG_MAX);
    expect_same("%lld %llx", LLONG_MIN, ULLONG_MAX);
    expect_same("%zu %zx", SIZE_MAX, static_cast<size_t>(0xabc));
    expect_same("[%8x] [%-8x] [%08X]", 0xbeefu, 0xbeefu, 0xbeefu);
    expect_same("[%016lx]", 0xffff800000001000ul);
    expect_same("[%5d] [%-5d] [%05d]", -42, -42, -42);
}

TEST(Format, MatchesSnprintfForStringsAndChars)
{
    expect_same("%s|%10s|%-10s|%.3s", "abc", "right", "left", "truncated");
    expect_same("%c%c%c %3c", 'W', 'a', 'r', 'd');
    expect_same("100%% %s", "sure");
    expect_same("%p", reinterpret_cast<void *>(0x1234));
}

TEST(Format, TruncatesLikeSnprintf)
{
    char small[6];
    EXPECT_EQ(hv::format(small, sizeof small, "%s-%d", "hello", 12345), 11u);
    EXPECT_STREQ(small, "hello");
    EXPECT_EQ(hv::format(nullptr, 0, "%x", 0xffu), 2u);
}

size_t call_vformat(char *buf, size_t size, char const *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t const n = hv::vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

TEST(Format, CopiesUnsupportedConversionsThrough)
{
    // Through vformat, so the compiler's printf checking does not reject the deliberate misuse.
    char buf[32];
    char const *const odd = "a%qb%";
    char const *const null_string = nullptr;
    std::string const s_fmt = "%s";
    call_vformat(buf, sizeof buf, odd);
    EXPECT_STREQ(buf, "a%qb%");
    call_vformat(buf, sizeof buf, s_fmt.c_str(), null_string);
    EXPECT_STREQ(buf, "(null)");
}

} // namespace
