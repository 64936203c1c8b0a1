// SPDX-License-Identifier: MIT
// The compositor's view of the ACM policy: coalition and colour per label.
#include "ward/gui/policy_label_colours.hpp"

namespace gvm
{

hv::Result<Policy_label_colours, QString> Policy_label_colours::load(std::string const &path)
{
    auto p = ward::policy::Policy::load_file(path);
    if (!p)
        return hv::unexpected(QString::fromStdString(p.error().to_string()));
    return Policy_label_colours{std::move(*p)};
}

std::optional<Label_info> Policy_label_colours::lookup(QString const &label) const
{
    std::string const name = label.toStdString();
    auto const info = policy_.label(name);
    if (!info || info->kind != ward::policy::Label_kind::VM || !info->colour)
        return std::nullopt; // resources are not domains; an uncoloured label cannot be framed
    QStringList types;
    for (auto const &t : info->ste_types)
        types << QString::fromStdString(t);
    return Label_info{types.join(QLatin1Char('+')), QColor::fromRgb(*info->colour & 0xffffff)};
}

} // namespace gvm
