// SPDX-License-Identifier: MIT
// Test support for the tpm label: temporary directories, a platform swtpm of the test's own on
// free loopback ports, and running tpm2-tools against a TCTI.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vtpm/manager.hpp"

namespace ward_test
{

class Temp_dir
{
  public:
    Temp_dir();
    ~Temp_dir();
    Temp_dir(Temp_dir const &) = delete;
    std::string const &path() const { return path_; }

  private:
    std::string path_;
};

// A bare swtpm (no state encryption) on free loopback ports, state in `dir`; stopped with a
// TPM2_Shutdown and a control-channel shutdown on destruction.
class Swtpm
{
  public:
    explicit Swtpm(std::string dir);
    ~Swtpm();
    Swtpm(Swtpm const &) = delete;
    bool ok() const { return pid_ > 0; }
    unsigned port() const { return port_; }
    int pid() const { return pid_; }
    std::string tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port_); }
    void stop();

  private:
    std::string dir_;
    unsigned port_{0};
    int pid_{0};
};

struct Cmd_result
{
    int status{-1};
    std::string out; // stdout and stderr together
};

// Runs `cmd` through /bin/sh with TPM2TOOLS_TCTI=tcti (if not empty) and TSS2_LOG quiet.
Cmd_result sh(std::string const &cmd, std::string const &tcti = {});

// tpm2_pcrread of one SHA-256 PCR as lower-case hex, empty on failure.
std::string pcr_hex(std::string const &tcti, unsigned pcr);

// The manager configuration used by the tests: root under `dir`, PCRs 0,2,4,7,8,9.
dom::vtpm::Manager_config manager_config(std::string const &root, std::string const &tcti);

dom::vtpm::Domain_identity identity(std::string const &name, char fill = 'a');

// One platform: a swtpm of its own (state in `tpm_dir`) and a vTPM manager root on it.
struct Platform
{
    Platform(std::string const &tpm_dir, std::string root_dir)
        : tpm{tpm_dir}, root{std::move(root_dir)}
    {}
    dom::vtpm::Manager_config config() const { return manager_config(root, tpm.tcti()); }
    // The manager on this platform; a refusal is a test failure (with its message) and gives
    // nullptr.
    std::unique_ptr<dom::vtpm::Manager> open();
    // Opens the manager after a ward-vtpm command on this root was killed with SIGKILL: its lock
    // goes away only when the kernel has torn the process down, so BUSY is retried (2 s at most).
    dom::vtpm::Result<std::unique_ptr<dom::vtpm::Manager>> open_after_kill();
    // This platform's migration key (a manager is opened for it and closed again, so that a
    // ward-vtpm command can use the root next); a failure is a test failure and gives nullopt.
    std::optional<dom::vtpm::Platform_key> key();

    Swtpm tpm;
    std::string root;
};

// An instance created on `m` for `id` and started with Start_mode::RESET.
struct Started_instance
{
    dom::vtpm::Instance_info info;
    dom::vtpm::Endpoint ep;
};
// A refusal is a test failure (with the manager's message) and gives nullopt.
std::optional<Started_instance> create_started(dom::vtpm::Manager &m,
                                               dom::vtpm::Domain_identity const &id);

std::string binary_dir();

} // namespace ward_test
