// SPDX-License-Identifier: MIT
// Label colours from Ward's ACM policy (ward_policy): a label's colour is its coalition colour;
// its coalition is its set of STE types (one type for every guest label), so two guests are in
// the same coalition exactly when they list the same STE types.
#pragma once

#include <string>

#include "ward/gui/label_colours.hpp"
#include "ward/policy/policy.hpp"

namespace gvm
{

class Policy_label_colours : public Label_colours
{
  public:
    explicit Policy_label_colours(ward::policy::Policy policy) : policy_{std::move(policy)} {}
    // Loads an ACM XML or binary policy; the error is the policy library's message.
    static hv::Result<Policy_label_colours, QString> load(std::string const &path);

    std::optional<Label_info> lookup(QString const &label) const override;

  private:
    ward::policy::Policy policy_;
};

} // namespace gvm
