// SPDX-License-Identifier: MIT
// The domain configuration file (docs/builder.md): "key = value" lines, '#' comment lines.
// Every key is known and validated; unknown keys are refused so nothing a domain depends on
// escapes the launch measurement. Pure.
#pragma once

#include <string>
#include <string_view>

#include "vtpm/error.hpp"

namespace dom::builder
{

using vtpm::Errc;
using vtpm::Error;
using vtpm::Result;

struct Domain_config
{
    std::string name;      // not measured: what a domain is called is not what it runs
    std::string label;     // ACM label
    std::string kernel;    // path as written (relative to the config file's folder)
    std::string initramfs; // optional, same
    std::string cmdline;   // verbatim after trimming, may be empty
    unsigned memory_mib{0};
    unsigned vcpus{1};
    bool vtpm{true};

    // BAD_INPUT with the line number on any malformed, duplicate, unknown or out-of-range
    // entry, or a missing name, label, kernel or memory.
    static Result<Domain_config> parse(std::string_view text);

    // The measured settings in canonical form: "label=.. memory=.. vcpus=.. vtpm=..".
    std::string canonical_settings() const;
};

} // namespace dom::builder
