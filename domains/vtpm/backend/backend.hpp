// SPDX-License-Identifier: MIT
// The tpmif v2 backend transport in a Linux vTPM domain (docs/vtpm.md §7): finds the vtpm
// devices the toolstack (the store domain) made under this domain's backend/vtpm/, serves the one
// whose frontend is the domain named on this domain's command line, maps the frontend's shared
// page through /dev/xen/gntdev, binds its event channel through /dev/xen/evtchn and runs
// tpmif_serve on every kick, forwarding to the vTPM instance's worker socket.
#pragma once

#include <string>

#include "vtpm/transport.hpp"

namespace dom::vtpm::backend
{

struct Backend_config
{
    std::string frontend_name; // the only frontend served (trusted: this domain's command line)
    Endpoint endpoint;         // the running instance bound to that domain
    bool verbose{false};       // log every command served
};

// Runs until the xenbus device fails. Returns the process exit status.
int run_backend(Backend_config const &cfg);

} // namespace dom::vtpm::backend
