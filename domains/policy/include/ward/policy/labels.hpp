// SPDX-License-Identifier: MIT
// Attaching ACM labels to what the policy governs (the `ward-label` tool):
// - a domain's label is the `label = NAME` line of its domain configuration (docs/builder.md);
// - resources (block devices, network, vTPM instances) are labelled in a resource label file
//   of "RESOURCE LABEL" lines, RESOURCE being phy:/dev/..., file:/path, net:NAME or vtpm:NAME.
// Every assignment is checked against a policy: the label must exist and be of the right kind.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "hv/result.hpp"
#include "ward/policy/error.hpp"
#include "ward/policy/policy.hpp"

namespace ward::policy
{

// The value of the `label` line of a domain configuration; an error if there is none.
hv::Result<std::string, Error> config_label(std::string_view config, std::string const &file);

// The configuration with its `label` line set to `label` (replaced, or appended); every other
// line is kept as it was.
std::string config_with_label(std::string_view config, std::string const &label);

// The configuration without its `label` line; an error if there was none.
hv::Result<std::string, Error> config_without_label(std::string_view config,
                                                    std::string const &file);

// A resource name is KIND:REST with KIND one of phy, file, net, vtpm, REST non-empty and
// printable without spaces.
bool resource_name_ok(std::string_view resource);

// The resource label file: "RESOURCE LABEL" per line, '#' comments, kept sorted.
class Resource_labels
{
  public:
    static hv::Result<Resource_labels, Error> parse(std::string_view text, std::string const &file);
    std::string text() const;

    std::map<std::string, std::string> const &entries() const { return entries_; }
    std::map<std::string, std::string> &entries() { return entries_; }

  private:
    std::map<std::string, std::string> entries_;
};

// The label exists in the policy and is a domain (VM) or resource label as wanted.
hv::Result<void, Error> check_label(Policy const &p, std::string const &label, Label_kind kind);

} // namespace ward::policy
