// SPDX-License-Identifier: MIT
// The launch measurement: what the builder extends into a domain's vTPM before its first
// instruction, and the single digest the vTPM manager binds the domain's instance to. It covers
// the label, the measured settings, the command line, the kernel and the initramfs, and nothing
// that differs between launches or machines (domain id, addresses, file names, time). Pure.
#pragma once

#include <optional>

#include "builder/domain_config.hpp"
#include "builder/event_log.hpp"

namespace dom::builder
{

// vTPM PCRs, following GRUB's use on the platform: strings in 8, files in 9.
inline constexpr unsigned PCR_STRINGS = 8;
inline constexpr unsigned PCR_FILES = 9;

struct Launch_inputs
{
    Domain_config config;
    vtpm::Digest kernel{};
    std::optional<vtpm::Digest> initramfs;
};

struct Launch_measurement
{
    std::vector<Event> events;
    vtpm::Digest measurement{}; // SHA-256 over the events (docs/builder.md)
    vtpm::Pcr_values pcrs;      // PCR 8 and 9 after the events, from zero

    std::string to_text() const; // what `ward measure` prints
};

Launch_measurement measure(Launch_inputs const &in);

} // namespace dom::builder
