// SPDX-License-Identifier: MIT
// Where frame colours come from: the ACM policy maps a domain's label to its coalition and the
// coalition's colour. The compositor sees only this narrow interface, so the source can be the
// policy library (ward_policy) or, until that is wired in, a small colours file.
#pragma once

#include <QColor>
#include <QString>
#include <map>
#include <optional>

#include "hv/result.hpp"

namespace gvm
{

struct Label_info
{
    QString coalition;
    QColor colour;
};

class Label_colours
{
  public:
    virtual ~Label_colours() = default;
    // The coalition and colour of a domain label; nullopt for a label the policy does not know
    // (the daemon then refuses the domain: it cannot frame it).
    virtual std::optional<Label_info> lookup(QString const &label) const = 0;
};

// A fixed table, loaded from text: one "<label> <coalition> #rrggbb" per line, '#' comments.
class Static_label_colours : public Label_colours
{
  public:
    void add(QString const &label, Label_info info) { table_[label] = std::move(info); }
    std::optional<Label_info> lookup(QString const &label) const override;

    // Parses the text form; the error names the first bad line.
    static hv::Result<Static_label_colours, QString> parse(QString const &text);
    static hv::Result<Static_label_colours, QString> load(QString const &path);

  private:
    std::map<QString, Label_info> table_;
};

} // namespace gvm
