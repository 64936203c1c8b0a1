// SPDX-License-Identifier: MIT
// Title sanitising (docs/gui-protocol.md, "Titles").
#include "ward/gui/title.hpp"

#include <cstdint>
#include <string>

namespace gvm
{

namespace
{

// Strict UTF-8 decoding of one scalar value; returns the length consumed or 0 if ill-formed.
int decode_utf8(std::span<char const> s, std::size_t i, char32_t &out)
{
    auto const b = [&](std::size_t k) { return static_cast<uint8_t>(s[k]); };
    uint8_t const c = b(i);
    int len;
    char32_t cp;
    if (c < 0x80) {
        out = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + static_cast<std::size_t>(len) > s.size())
        return 0;
    for (int k = 1; k < len; ++k) {
        uint8_t const cc = b(i + static_cast<std::size_t>(k));
        if ((cc & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (cc & 0x3f);
    }
    bool const overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    out = cp;
    return len;
}

bool bidi_or_invisible(char32_t cp)
{
    return (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, LRM, RLM
           (cp >= 0x202a && cp <= 0x202e) || // LRE, RLE, PDF, LRO, RLO
           (cp >= 0x2066 && cp <= 0x2069) || // LRI, RLI, FSI, PDI
           cp == 0x061c || cp == 0xfeff || cp == 0x2028 || cp == 0x2029 || cp == 0x00ad;
}

bool printable(char32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
        return false;
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
        return false; // non-characters
    QChar::Category const cat = QChar::category(cp);
    return cat != QChar::Other_Control && cat != QChar::Other_Format &&
           cat != QChar::Other_Surrogate && cat != QChar::Other_PrivateUse &&
           cat != QChar::Other_NotAssigned;
}

} // namespace

QString sanitize_title(std::span<char const> raw)
{
    std::size_t n = 0;
    while (n < raw.size() && raw[n] != '\0')
        ++n;
    auto const s = raw.first(n);
    std::u32string kept;
    bool cut = false;
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        int const len = decode_utf8(s, i, cp);
        if (len == 0) {
            cp = U'_';
            i += 1;
        } else {
            i += static_cast<std::size_t>(len);
        }
        if (bidi_or_invisible(cp))
            continue;
        if (!printable(cp))
            cp = U'_';
        if (static_cast<qsizetype>(kept.size()) == MAX_TITLE_CHARS) {
            cut = true;
            break;
        }
        kept.push_back(cp);
    }
    if (cut) // cut by characters, so a surrogate pair is never split
        kept.replace(kept.size() - 3, 3, U"...");
    QString const out = QString::fromUcs4(kept.data(), static_cast<qsizetype>(kept.size()));
    return out;
}

QString decorated_title(QString const &domain, QString const &title)
{
    return QStringLiteral("[%1] %2").arg(domain, title);
}

} // namespace gvm
