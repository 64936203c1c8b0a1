// SPDX-License-Identifier: MIT
// Who an instance belongs to: the domain's name, its ACM label and its launch measurement (the
// builder's SHA-256 over what was launched). Validation and the binding check. Pure.
#pragma once

#include <string>

#include "vtpm/bytes.hpp"
#include "vtpm/error.hpp"

namespace dom::vtpm
{

struct Domain_identity
{
    std::string domain;      // [A-Za-z0-9_.-]{1,64}, not starting with '.'
    std::string label;       // same alphabet as the domain name
    std::string measurement; // 64 lower-case hex digits

    bool operator==(Domain_identity const &) const = default;
};

// BAD_INPUT naming the offending field. Measurement hex is accepted in either case and
// normalised to lower case.
Result<Domain_identity> validate_identity(Domain_identity id);

// Instance ids are RFC 4122-shaped: 8-4-4-4-12 lower-case hex. They become directory names, so
// nothing else is accepted.
bool valid_uuid(std::string const &s);
std::string format_uuid(std::span<std::uint8_t const, 16> raw);

// WRONG_DOMAIN, saying which parts differ, unless `requester` is exactly `owner`.
Result<void> check_binding(std::string const &uuid, Domain_identity const &owner,
                           Domain_identity const &requester);

// Additional authenticated data that ties a wrapped instance key to its uuid and owner.
Bytes binding_aad(std::string const &uuid, Domain_identity const &owner);

} // namespace dom::vtpm
