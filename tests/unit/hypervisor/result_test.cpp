// SPDX-License-Identifier: MIT
#include "hv/result.hpp"

#include <gtest/gtest.h>

#include <string>

namespace
{

enum class Error
{
    NOT_FOUND,
    BAD
};

hv::Result<int, Error> parse_digit(char c)
{
    if (c < '0' || c > '9')
        return hv::unexpected(Error::BAD);
    return c - '0';
}

hv::Result<int, Error> sum_two(char a, char b)
{
    int const x = HV_TRY(parse_digit(a));
    int const y = HV_TRY(parse_digit(b));
    return x + y;
}

hv::Result<void, Error> check(bool good)
{
    if (!good)
        return hv::unexpected(Error::NOT_FOUND);
    return hv::ok;
}

hv::Result<int, Error> via_void(bool good)
{
    HV_TRY(check(good));
    return 7;
}

TEST(Result, ValueAndError)
{
    auto const r = parse_digit('7');
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, 7);
    auto const e = parse_digit('x');
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error(), Error::BAD);
    EXPECT_EQ(e.value_or(-1), -1);
}

TEST(Result, TryPropagatesTheFirstError)
{
    EXPECT_EQ(*sum_two('3', '4'), 7);
    EXPECT_EQ(sum_two('3', 'z').error(), Error::BAD);
    EXPECT_EQ(*via_void(true), 7);
    EXPECT_EQ(via_void(false).error(), Error::NOT_FOUND);
}

TEST(Result, HoldsNonTrivialValuesAndCopies)
{
    hv::Result<std::string, Error> a{std::string(100, 'x')};
    hv::Result<std::string, Error> b = a;
    hv::Result<std::string, Error> c{hv::unexpected(Error::BAD)};
    c = std::move(b);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->size(), 100u);
    a = hv::Result<std::string, Error>{hv::unexpected(Error::NOT_FOUND)};
    EXPECT_EQ(a.error(), Error::NOT_FOUND);
}

TEST(Result, MonadicHelpers)
{
    auto const doubled = hv::transform(parse_digit('4'), [](int v) { return v * 2; });
    EXPECT_EQ(*doubled, 8);
    auto const chained = hv::and_then(
        parse_digit('4'), [](int v) { return parse_digit(static_cast<char>('0' + v + 1)); });
    EXPECT_EQ(*chained, 5);
    auto const failed = hv::and_then(parse_digit('q'), [](int) { return parse_digit('1'); });
    EXPECT_EQ(failed.error(), Error::BAD);
}

TEST(ResultDeathTest, ExpectPanicsWithTheReason)
{
    EXPECT_DEATH((void)parse_digit('x').expect("digit is checked above"), "digit is checked above");
}

} // namespace
