// SPDX-License-Identifier: MIT
// Splits a command line into `key[=value]` tokens separated by spaces or tabs, stopping at a
// lone `--` (the rest belongs to the guest). Shared by the module and hypervisor parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "hv/module_cmdline.hpp"

namespace hv::detail
{

struct Token
{
    std::span<char const> key;
    std::span<char const> value;
    bool has_value;
    uint32_t column;
};

inline bool same(std::span<char const> a, char const *b)
{
    size_t n = 0;
    for (; b[n] != '\0'; ++n)
        if (n >= a.size() || a[n] != b[n])
            return false;
    return n == a.size();
}

class Tokenizer
{
  public:
    explicit Tokenizer(std::span<char const> text) : text_{text}, rest_start_{text.size()} {}

    // The next token; nullopt at the end or at `--`, after which rest() is the guest part.
    Result<std::optional<Token>, Cmdline_failure> next()
    {
        while (pos_ < text_.size() && blank(text_[pos_]))
            ++pos_;
        if (pos_ == text_.size())
            return std::optional<Token>{};
        size_t const start = pos_;
        size_t eq = 0;
        bool has_eq = false;
        for (; pos_ < text_.size() && !blank(text_[pos_]); ++pos_) {
            char const c = text_[pos_];
            if (c <= ' ' || c > '~')
                return unexpected(Cmdline_failure{Cmdline_error::BAD_CHARACTER, col(pos_)});
            if (c == '=' && !has_eq) {
                has_eq = true;
                eq = pos_;
            }
        }
        std::span<char const> const whole = text_.subspan(start, pos_ - start);
        if (same(whole, "--")) {
            rest_start_ = pos_;
            while (rest_start_ < text_.size() && blank(text_[rest_start_]))
                ++rest_start_;
            for (size_t i = rest_start_; i < text_.size(); ++i)
                if ((text_[i] < ' ' && text_[i] != '\t') || text_[i] > '~')
                    return unexpected(Cmdline_failure{Cmdline_error::BAD_CHARACTER, col(i)});
            pos_ = text_.size();
            return std::optional<Token>{};
        }
        if (!has_eq)
            return std::optional<Token>{Token{whole, {}, false, col(start)}};
        return std::optional<Token>{Token{text_.subspan(start, eq - start),
                                          text_.subspan(eq + 1, pos_ - eq - 1), true, col(start)}};
    }

    std::span<char const> rest() const { return text_.subspan(rest_start_); }

  private:
    static bool blank(char c) { return c == ' ' || c == '\t'; }
    static uint32_t col(size_t p) { return static_cast<uint32_t>(p); }

    std::span<char const> text_;
    size_t pos_ = 0;
    size_t rest_start_;
};

} // namespace hv::detail
