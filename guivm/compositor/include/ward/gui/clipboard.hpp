// SPDX-License-Identifier: MIT
// The secure clipboard: one buffer held by the daemon, filled only by Ctrl+Shift+C from the
// focused domain and emptied into the focused domain by Ctrl+Shift+V, subject to policy.
#pragma once

#include <QByteArray>
#include <QString>
#include <cstdint>

namespace gvm
{

enum class Paste_rule
{
    ALLOW,
    ASK,
    DENY,
};

struct Clipboard_config
{
    Paste_rule cross_coalition = Paste_rule::ASK; // within one coalition pastes are allowed
    uint32_t max_bytes = 64000;                   // at most proto::MAX_CLIPBOARD
};

// Decides a paste from a domain of coalition `from` into one of coalition `to`.
inline Paste_rule paste_rule(Clipboard_config const &c, QString const &from, QString const &to)
{
    return from == to ? Paste_rule::ALLOW : c.cross_coalition;
}

struct Clipboard_contents
{
    QByteArray data;
    QString source_domain;
    QString source_coalition;
    bool empty() const { return source_domain.isEmpty(); }
};

} // namespace gvm
