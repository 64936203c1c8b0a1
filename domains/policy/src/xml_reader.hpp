// SPDX-License-Identifier: MIT
// Reads ACM XML (SecurityPolicyDefinition) into a Source with libxml2. Reports malformed XML
// with file, line, column and element, and structural mistakes with line and element.
#pragma once

#include <string>
#include <string_view>

#include "hv/result.hpp"
#include "source.hpp"
#include "ward/policy/error.hpp"

namespace ward::policy::detail
{

inline constexpr size_t MAX_XML_SIZE = 64u << 20;

hv::Result<Source, Error> read_xml(std::string_view text, std::string const &file);

} // namespace ward::policy::detail
