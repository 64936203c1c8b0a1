// SPDX-License-Identifier: MIT
// One swtpm worker process per instance (libtpms through swtpm, as libvirt runs it): TPM
// commands on a loopback TCP port, swtpm's control channel on the next port. The instance key
// reaches swtpm through a pipe (--key fd=), never through a file, and swtpm encrypts every
// state file it writes with it (AES-256-CBC + HMAC-SHA256, written to a temporary and renamed).
#pragma once

#include <string>

#include "vtpm/crypto.hpp"
#include "vtpm/record.hpp"

namespace dom::vtpm
{

// swtpm control channel commands used here (swtpm's tpm_ioctl.h numbering).
enum class Ctrl_cmd : std::uint32_t
{
    GET_CAPABILITY = 1,
    SHUTDOWN = 3,
    STORE_VOLATILE = 10,
};

// Big-endian request word as sent on the control socket. Pure.
std::array<std::uint8_t, 4> encode_ctrl(Ctrl_cmd cmd);

struct Worker_config
{
    std::string swtpm{"swtpm"}; // executable
    std::string state_dir;      // absolute
    std::string log_path;       // absolute; truncated at each start
    Key256 key{};
    bool encrypted{true}; // false only for a bare swtpm (platform stand-in, benchmarks)
    bool reset{false};    // drop saved volatile state: a fresh power-on (PCRs zero)
};

// Starts a worker on a free adjacent pair of loopback ports. CORRUPT if swtpm refuses the
// state (HMAC check failed: wrong key or damaged file), WORKER on other failures.
Result<Run_info> start_worker(Worker_config const &cfg);

// Saves the volatile state (PCRs, sessions) if `save_volatile`, then shuts the worker down and
// waits for it to exit (SIGKILL after 3 s).
Result<void> stop_worker(Run_info const &run, bool save_volatile);

// True if `pid` is a live (not zombie) swtpm whose command line names `state_dir`.
bool worker_alive(int pid, std::string const &state_dir);

// Sends one control command; returns swtpm's result word (0 = success).
Result<std::uint32_t> ctrl_command(unsigned ctrl_port, Ctrl_cmd cmd);

// A port p such that p and p+1 were both free on 127.0.0.1 a moment ago.
Result<unsigned> free_port_pair();

} // namespace dom::vtpm
