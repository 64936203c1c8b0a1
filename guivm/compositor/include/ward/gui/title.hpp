// SPDX-License-Identifier: MIT
// Sanitising window titles a guest sends before the daemon draws them.
#pragma once

#include <QString>
#include <span>

namespace gvm
{

inline constexpr qsizetype MAX_TITLE_CHARS = 80;

// Decodes the guest's title bytes (NUL-terminated within the span, forced at the end) as UTF-8
// and keeps only printable characters: control characters, bidirectional overrides, isolates and
// marks, zero-width and other format characters, unpaired surrogates, non-characters and invalid
// or overlong UTF-8 each become '_' (format characters are dropped). The result is at most
// MAX_TITLE_CHARS characters, with "..." marking a cut.
QString sanitize_title(std::span<char const> raw);

// The title the daemon shows: "[domain] title".
QString decorated_title(QString const &domain, QString const &title);

} // namespace gvm
