// SPDX-License-Identifier: MIT
// The colours-file loader standing in for the policy library.
#include "ward/gui/label_colours.hpp"

#include <QFile>
#include <QRegularExpression>

namespace gvm
{

std::optional<Label_info> Static_label_colours::lookup(QString const &label) const
{
    auto it = table_.find(label);
    if (it == table_.end())
        return std::nullopt;
    return it->second;
}

hv::Result<Static_label_colours, QString> Static_label_colours::parse(QString const &text)
{
    Static_label_colours out;
    static QRegularExpression const line_re{
        QStringLiteral(R"(^([A-Za-z0-9_.-]{1,64})\s+([A-Za-z0-9_.-]{1,64})\s+#([0-9a-fA-F]{6})$)")};
    int n = 0;
    for (QString line : text.split(QLatin1Char('\n'))) {
        ++n;
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        auto const m = line_re.match(line);
        if (!m.hasMatch())
            return hv::unexpected(
                QStringLiteral("line %1: expected '<label> <coalition> #rrggbb'").arg(n));
        out.add(m.captured(1), {m.captured(2), QColor(QStringLiteral("#") + m.captured(3))});
    }
    return out;
}

hv::Result<Static_label_colours, QString> Static_label_colours::load(QString const &path)
{
    QFile f{path};
    if (!f.open(QIODevice::ReadOnly))
        return hv::unexpected(QStringLiteral("%1: %2").arg(path, f.errorString()));
    return parse(QString::fromUtf8(f.readAll()));
}

} // namespace gvm
