// SPDX-License-Identifier: MIT
// Parsing and writing the key=value line format.
#include "vtpm/kv_file.hpp"

namespace dom::vtpm
{

static constexpr std::size_t MAX_FILE = 4u << 20;

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

Result<Kv_file> Kv_file::parse(std::string_view text, std::string_view magic, std::string_view what)
{
    auto const bad = [&](std::size_t line, char const *why) {
        return fail(Errc::CORRUPT,
                    std::string(what) + ": line " + std::to_string(line) + ": " + why);
    };
    if (text.size() > MAX_FILE)
        return fail(Errc::CORRUPT, std::string(what) + ": larger than 4 MiB");
    Kv_file f{std::string(magic)};
    f.what_ = what;
    std::size_t pos = 0, line = 0;
    bool first = true;
    while (pos < text.size()) {
        ++line;
        auto const nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            return bad(line, "missing final newline (truncated file?)");
        auto const l = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (first) {
            if (l != magic)
                return bad(line, "wrong header (not this kind of file, or another version)");
            first = false;
            continue;
        }
        auto const eq = l.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return bad(line, "expected key=value");
        auto const key = l.substr(0, eq);
        for (auto const c : key)
            if (!key_char(c))
                return bad(line, "invalid character in key");
        for (auto const c : l.substr(eq + 1))
            if (static_cast<unsigned char>(c) < 0x20)
                return bad(line, "control character in value");
        auto const [it, inserted] = f.entries_.emplace(key, l.substr(eq + 1));
        (void)it;
        if (!inserted)
            return bad(line, "duplicate key");
    }
    if (first)
        return fail(Errc::CORRUPT, std::string(what) + ": empty file");
    return f;
}

Result<std::string> Kv_file::get(std::string const &key) const
{
    auto const it = entries_.find(key);
    if (it == entries_.end())
        return fail(Errc::CORRUPT, what_ + ": missing field '" + key + "'");
    return it->second;
}

Result<Bytes> Kv_file::get_hex(std::string const &key, std::size_t size) const
{
    auto const s = HV_TRY(get(key));
    auto b = from_hex(s);
    if (!b)
        return fail(Errc::CORRUPT, what_ + ": field '" + key + "' is not hex");
    if (size && b->size() != size)
        return fail(Errc::CORRUPT,
                    what_ + ": field '" + key + "' must be " + std::to_string(size) + " bytes");
    return *b;
}

std::string Kv_file::serialize() const
{
    std::string s = magic_ + "\n";
    for (auto const &[k, v] : entries_)
        s += k + "=" + v + "\n";
    return s;
}

} // namespace dom::vtpm
