// SPDX-License-Identifier: MIT
// The vTPM pairings of the boot configuration (docs/vtpm.md §7, "Who serves whom"), parsed from
// the store domain's kernel command line. Pure: no I/O, used by wardstore-domain's discovery and
// by the unit tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dom::store
{

// A vTPM device the boot configuration asks for (`ward.vtpm=FRONTEND:BACKEND` on the store
// domain's kernel command line): domain FRONTEND gets device vtpm/0 served by the tpmif backend
// in domain BACKEND. Names are the domains' names as Ward reports them.
struct Vtpm_link
{
    std::string frontend;
    std::string backend;
    bool operator==(Vtpm_link const &) const = default;
};

// Parses the `ward.vtpm=F:B` tokens of a kernel command line (tokens split on space, tab and
// newline); a token whose names are empty, longer than 31 bytes, use anything but [A-Za-z0-9_.-],
// or name the same domain twice is skipped.
std::vector<Vtpm_link> parse_vtpm_links(std::string_view cmdline);

} // namespace dom::store
