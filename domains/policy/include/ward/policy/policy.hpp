// SPDX-License-Identifier: MIT
// Ward's ACM policy for hosted services and tools: load an ACM XML policy (compiled on the
// fly) or a binary one, list labels, look up a label's coalition colour, and ask the same
// decision engine the hypervisor runs (hv::acm) whether two labels may share or coexist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hv/acm/decision.hpp"
#include "hv/acm/policy_view.hpp"
#include "hv/result.hpp"
#include "ward/policy/error.hpp"

namespace ward::policy
{

enum class Label_kind
{
    VM,       // VirtualMachineLabel: a domain
    RESOURCE, // ResourceLabel: a block device, network, vTPM instance...
};

struct Label_info
{
    std::string name;
    Label_kind kind = Label_kind::VM;
    std::vector<std::string> ste_types; // sorted by name
    std::vector<std::string> cw_types;  // sorted by name
    std::optional<uint32_t> colour;     // 0xRRGGBB coalition colour, if the policy gives one
    std::optional<std::string> renamed_from;
};

// Both decisions for a pair of labels, with the deciding types and sets named.
struct Verdict
{
    hv::acm::Decision share;              // STE (decide_use when one side is a resource label)
    hv::acm::Decision coexist;            // Chinese Wall
    std::vector<std::string> share_lines; // why, one sentence per line
    std::vector<std::string> coexist_lines;
};

class Policy
{
  public:
    // Reads and checks ACM XML, compiles it; `file` names the source in errors.
    static hv::Result<Policy, Error> from_xml(std::string_view xml, std::string const &file);
    // Verifies a binary policy with the hypervisor's loader (magic, version, digest, layout).
    static hv::Result<Policy, Error> from_binary(std::vector<std::byte> bytes,
                                                 std::string const &file);
    // Reads a file: XML if it starts with "<" (after a BOM and whitespace), binary otherwise.
    static hv::Result<Policy, Error> load_file(std::string const &path);

    std::span<std::byte const> binary() const { return *bytes_; }
    hv::acm::Policy_view const &view() const { return view_; }

    std::string name() const;
    std::string version() const; // "MAJOR.MINOR"
    std::string digest_hex() const;
    std::string bootstrap_label() const;

    std::vector<std::string> label_names() const;
    std::optional<uint32_t> label_index(std::string_view name) const;
    std::optional<Label_info> label(std::string_view name) const;
    Label_info label_at(uint32_t index) const;

    // The coalition colour (0xRRGGBB) a GUI frames this label's windows with.
    std::optional<uint32_t> colour(std::string_view label) const;
    // The STE types (coalitions) a label belongs to.
    std::vector<std::string> coalitions(std::string_view label) const;

    // Both decisions for two labels; an error if either label is unknown.
    hv::Result<Verdict, Error> decide(std::string_view a, std::string_view b) const;

  private:
    Policy(std::shared_ptr<std::vector<std::byte> const> bytes, hv::acm::Policy_view view)
        : bytes_{std::move(bytes)}, view_{view}
    {}

    std::shared_ptr<std::vector<std::byte> const> bytes_; // shared: the view points into it
    hv::acm::Policy_view view_;
};

// "#rrggbb"
std::string colour_hex(uint32_t rgb);

// A hv::acm::Name as a std::string.
std::string to_string(hv::acm::Name n);

} // namespace ward::policy
