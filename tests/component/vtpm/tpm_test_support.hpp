// SPDX-License-Identifier: MIT
// Test support for the tpm label: temporary directories, a platform swtpm of the test's own on
// free loopback ports, and running tpm2-tools against a TCTI.
#pragma once

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

std::string binary_dir();

} // namespace ward_test
