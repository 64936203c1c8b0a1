// SPDX-License-Identifier: MIT
// The builder's hosted side of measured launch: reading a domain config and its files, and
// extending the measurement into the domain's freshly reset vTPM before the domain runs.
#pragma once

#include <string>

#include "builder/measurement.hpp"
#include "vtpm/tpm_client.hpp"

namespace dom::builder
{

// Parses the config at `path` and hashes its kernel and initramfs (paths relative to the
// config's folder). BAD_INPUT / NOT_FOUND / IO with the file named.
Result<Launch_inputs> load_inputs(std::string const &config_path);

// Extends every event into `vtpm` in order and returns the event log the guest reads.
// Precondition: the vTPM was started with Start_mode::RESET (PCRs 8 and 9 zero). BAD_STATE if
// they are not, so a measurement is never appended to a stale history.
Result<vtpm::Bytes> extend_launch(Launch_measurement const &m, vtpm::Tpm_client &vtpm);

} // namespace dom::builder
