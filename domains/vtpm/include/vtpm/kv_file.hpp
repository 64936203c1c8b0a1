// SPDX-License-Identifier: MIT
// The line format shared by the manager's files: a first line "<magic> <version>", then one
// "key=value" per line. Keys are [a-z0-9._-], unique; values hold no newline. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "vtpm/bytes.hpp"
#include "vtpm/error.hpp"

namespace dom::vtpm
{

class Kv_file
{
  public:
    explicit Kv_file(std::string magic) : magic_{std::move(magic)} {}

    // Parses `text`; CORRUPT (naming `what` and the line) on a wrong magic, a malformed line, a
    // duplicate key or more than 4 MiB.
    static Result<Kv_file> parse(std::string_view text, std::string_view magic,
                                 std::string_view what);

    void set(std::string const &key, std::string value) { entries_[key] = std::move(value); }
    void set_hex(std::string const &key, std::span<std::uint8_t const> v) { set(key, to_hex(v)); }

    bool has(std::string const &key) const { return entries_.count(key) != 0; }
    // CORRUPT if missing.
    Result<std::string> get(std::string const &key) const;
    // CORRUPT if missing or not hex; `size` (if non-zero) is the exact byte length required.
    Result<Bytes> get_hex(std::string const &key, std::size_t size = 0) const;

    std::map<std::string, std::string> const &entries() const { return entries_; }
    std::string serialize() const;

  private:
    std::string magic_;
    std::string what_;
    std::map<std::string, std::string> entries_;
};

} // namespace dom::vtpm
