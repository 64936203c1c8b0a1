// SPDX-License-Identifier: MIT
// Test support for the tpm label.
#include "tpm_test_support.hpp"

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "vtpm/atomic_file.hpp"
#include "vtpm/worker.hpp"

namespace ward_test
{

Temp_dir::Temp_dir()
{
    char tmpl[] = "/tmp/ward-vtpm-test-XXXXXX";
    char *p = ::mkdtemp(tmpl);
    path_ = p ? p : "";
}

Temp_dir::~Temp_dir()
{
    if (path_.empty())
        return;
    // Workers outlive managers by design; end every swtpm this test started (its command line
    // names this unique directory) before removing the directory.
    std::error_code ec;
    for (auto const &e : std::filesystem::directory_iterator("/proc", ec)) {
        auto const name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        auto const cmd = dom::vtpm::read_text(e.path().string() + "/cmdline", 1 << 16);
        if (cmd && cmd->rfind("swtpm", 0) == 0 && cmd->find(path_ + "/") != std::string::npos)
            ::kill(std::stoi(name), SIGKILL);
    }
    (void)dom::vtpm::remove_tree(path_);
}

Swtpm::Swtpm(std::string dir) : dir_{std::move(dir)}
{
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    for (int attempt = 0; attempt < 8 && pid_ == 0; ++attempt) {
        auto const port = dom::vtpm::free_port_pair();
        if (!port)
            continue;
        std::string const cmd =
            "swtpm socket --tpm2 --daemon --server type=tcp,bindaddr=127.0.0.1,port=" +
            std::to_string(*port) +
            " --ctrl type=tcp,bindaddr=127.0.0.1,port=" + std::to_string(*port + 1) +
            " --tpmstate dir=" + dir_ + " --flags not-need-init,startup-clear --pid file=" + dir_ +
            "/swtpm.pid";
        if (std::system(cmd.c_str()) != 0)
            continue;
        for (int i = 0; i < 200 && pid_ == 0; ++i) {
            auto const t = dom::vtpm::read_text(dir_ + "/swtpm.pid", 64);
            if (t && std::atoi(t->c_str()) > 1 &&
                dom::vtpm::ctrl_command(*port + 1, dom::vtpm::Ctrl_cmd::GET_CAPABILITY)) {
                pid_ = std::atoi(t->c_str());
                port_ = *port;
            } else
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    if (pid_)
        // Relax dictionary-attack defaults so unorderly test shutdowns never lock the TPM.
        (void)sh("tpm2_dictionarylockout -s -n 1000 -t 1 -l 1", tcti());
}

void Swtpm::stop()
{
    if (!pid_)
        return;
    (void)sh("tpm2_shutdown -c", tcti());
    (void)dom::vtpm::stop_worker(dom::vtpm::Run_info{pid_, port_}, false);
    pid_ = 0;
}

Swtpm::~Swtpm()
{
    stop();
}

Cmd_result sh(std::string const &cmd, std::string const &tcti)
{
    std::string full = "TSS2_LOG=all+NONE ";
    if (!tcti.empty())
        full += "TPM2TOOLS_TCTI='" + tcti + "' ";
    full += "sh -c '" + cmd + "' 2>&1";
    Cmd_result r;
    FILE *p = ::popen(full.c_str(), "r");
    if (!p)
        return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.out.append(buf.data(), n);
    int const st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string pcr_hex(std::string const &tcti, unsigned pcr)
{
    auto const r = sh("tpm2_pcrread sha256:" + std::to_string(pcr), tcti);
    auto const at = r.out.find("0x");
    if (r.status != 0 || at == std::string::npos || at + 66 > r.out.size())
        return {};
    std::string h = r.out.substr(at + 2, 64);
    for (auto &c : h)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return h;
}

dom::vtpm::Manager_config manager_config(std::string const &root, std::string const &tcti)
{
    return {root, tcti, *dom::vtpm::Pcr_selection::parse(dom::vtpm::DEFAULT_PLATFORM_PCRS),
            "swtpm"};
}

dom::vtpm::Domain_identity identity(std::string const &name, char fill)
{
    return {name, name + "-label", std::string(64, fill)};
}

std::unique_ptr<dom::vtpm::Manager> Platform::open()
{
    auto m = dom::vtpm::Manager::open(config());
    EXPECT_TRUE(m) << m.error().message;
    return m ? std::move(*m) : nullptr;
}

dom::vtpm::Result<std::unique_ptr<dom::vtpm::Manager>> Platform::open_after_kill()
{
    auto m = dom::vtpm::Manager::open(config());
    for (int i = 0; i < 200 && !m && m.error().code == dom::vtpm::Errc::BUSY; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        m = dom::vtpm::Manager::open(config());
    }
    return m;
}

std::optional<dom::vtpm::Platform_key> Platform::key()
{
    auto const m = dom::vtpm::Manager::open(config());
    EXPECT_TRUE(m) << m.error().message;
    if (!m)
        return std::nullopt;
    auto const k = (*m)->platform_key();
    EXPECT_TRUE(k) << k.error().message;
    return k ? std::optional{*k} : std::nullopt;
}

std::optional<Started_instance> create_started(dom::vtpm::Manager &m,
                                               dom::vtpm::Domain_identity const &id)
{
    auto const inst = m.create(id);
    EXPECT_TRUE(inst) << inst.error().message;
    if (!inst)
        return std::nullopt;
    auto const ep = m.start(inst->uuid, id, dom::vtpm::Start_mode::RESET);
    EXPECT_TRUE(ep) << ep.error().message;
    if (!ep)
        return std::nullopt;
    return Started_instance{*inst, *ep};
}

std::string binary_dir()
{
    char const *b = std::getenv("WARD_BINARY_DIR");
    return b ? b : ".";
}

} // namespace ward_test
