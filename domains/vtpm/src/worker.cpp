// SPDX-License-Identifier: MIT
// Spawning and controlling swtpm worker processes.
#include "vtpm/worker.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtpm/atomic_file.hpp"

namespace dom::vtpm
{

using namespace std::chrono_literals;

std::array<std::uint8_t, 4> encode_ctrl(Ctrl_cmd cmd)
{
    auto const v = static_cast<std::uint32_t>(cmd);
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

static int loopback_socket(unsigned port, bool listen_it)
{
    int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int const r = listen_it ? ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a)
                            : ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    if (r != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

Result<unsigned> free_port_pair()
{
    for (int attempt = 0; attempt < 64; ++attempt) {
        int const a = loopback_socket(0, true);
        if (a < 0)
            return fail(Errc::WORKER, std::string("socket: ") + std::strerror(errno));
        sockaddr_in sa{};
        socklen_t len = sizeof sa;
        ::getsockname(a, reinterpret_cast<sockaddr *>(&sa), &len);
        unsigned const port = ntohs(sa.sin_port);
        int const b = port < 65534 ? loopback_socket(port + 1, true) : -1;
        ::close(a);
        if (b >= 0) {
            ::close(b);
            return port;
        }
    }
    return fail(Errc::WORKER, "no free adjacent loopback port pair");
}

Result<std::uint32_t> ctrl_command(unsigned ctrl_port, Ctrl_cmd cmd)
{
    int const fd = loopback_socket(ctrl_port, false);
    if (fd < 0)
        return fail(Errc::WORKER, "swtpm control port " + std::to_string(ctrl_port) + ": " +
                                      std::strerror(errno));
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto const req = encode_ctrl(cmd);
    std::uint8_t resp[4];
    bool ok = ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == 4;
    std::size_t got = 0;
    while (ok && got < 4) {
        auto const n = ::recv(fd, resp + got, 4 - got, 0);
        ok = n > 0;
        got += ok ? static_cast<std::size_t>(n) : 0;
    }
    ::close(fd);
    if (!ok)
        return fail(Errc::WORKER, "swtpm control channel: no response");
    return std::uint32_t{resp[0]} << 24 | std::uint32_t{resp[1]} << 16 |
           std::uint32_t{resp[2]} << 8 | resp[3];
}

bool worker_alive(int pid, std::string const &state_dir)
{
    if (pid <= 1)
        return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return false;
    auto const close_paren = line.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= line.size() ||
        line[close_paren + 2] == 'Z')
        return false;
    std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
    std::stringstream ss;
    ss << cmd.rdbuf();
    auto const c = ss.str();
    return c.find("swtpm") != std::string::npos &&
           c.find("dir=" + state_dir + ",") != std::string::npos;
}

// Runs swtpm in daemon mode with the key on fd 3; returns its exit status (the daemon's parent
// exits once the TPM and both sockets are ready, or with 1 if they could not be set up).
static Result<int> run_swtpm(Worker_config const &cfg, unsigned port, std::string const &pid_path)
{
    int kp[2];
    if (::pipe2(kp, O_CLOEXEC) != 0)
        return fail(Errc::WORKER, std::string("pipe: ") + std::strerror(errno));
    if (::write(kp[1], cfg.key.data(), cfg.key.size()) != static_cast<ssize_t>(cfg.key.size())) {
        ::close(kp[0]);
        ::close(kp[1]);
        return fail(Errc::WORKER, "cannot pass the instance key to swtpm");
    }
    ::close(kp[1]);
    std::vector<std::string> args{
        cfg.swtpm,    "socket",
        "--tpm2",     "--daemon",
        "--server",   "type=tcp,bindaddr=127.0.0.1,port=" + std::to_string(port),
        "--ctrl",     "type=tcp,bindaddr=127.0.0.1,port=" + std::to_string(port + 1),
        "--tpmstate", "dir=" + cfg.state_dir + ",mode=0600",
        "--flags",    "not-need-init,startup-clear",
        "--pid",      "file=" + pid_path,
        "--log",      "file=" + cfg.log_path + ",level=1,truncate"};
    if (cfg.encrypted) {
        args.push_back("--key");
        args.push_back("fd=3,format=binary,mode=aes-256-cbc");
    }
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t const child = ::fork();
    if (child < 0) {
        ::close(kp[0]);
        return fail(Errc::WORKER, std::string("fork: ") + std::strerror(errno));
    }
    if (child == 0) {
        ::dup2(kp[0], 3); // dup2 clears FD_CLOEXEC on fd 3
        int const devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, 0);
        ::dup2(devnull, 1);
        ::setsid();
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(kp[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Result<Run_info> start_worker(Worker_config const &cfg)
{
    if (cfg.reset) {
        auto const vol = cfg.state_dir + "/tpm2-00.volatilestate";
        if (exists(vol) && ::unlink(vol.c_str()) != 0)
            return fail(Errc::IO, "cannot drop volatile state " + vol);
    }
    std::string const pid_path = cfg.state_dir + "/../worker.pid";
    std::string last_log;
    for (int attempt = 0; attempt < 8; ++attempt) {
        unsigned const port = HV_TRY(free_port_pair());
        ::unlink(pid_path.c_str());
        int const rc = HV_TRY(run_swtpm(cfg, port, pid_path));
        if (rc == 127)
            return fail(Errc::WORKER, "cannot execute " + cfg.swtpm);
        auto const log = read_text(cfg.log_path, 1 << 20);
        std::string const text = log ? *log : std::string();
        if (rc != 0) {
            if (text.find("HMAC") != std::string::npos ||
                text.find("initialize libtpms") != std::string::npos ||
                text.find("decrypt") != std::string::npos)
                return fail(Errc::CORRUPT, "swtpm refused the instance state (wrong key or "
                                           "damaged state file): " +
                                               text.substr(0, 200));
            last_log = text;
            continue; // most likely a port taken between the probe and swtpm's bind
        }
        // The daemon writes its pid file after forking; wait for it and for the control port.
        for (int i = 0; i < 1500; ++i) {
            auto const pid_text = read_text(pid_path, 64);
            if (pid_text) {
                int const pid = std::atoi(pid_text->c_str());
                if (pid > 1 && ctrl_command(port + 1, Ctrl_cmd::GET_CAPABILITY))
                    return Run_info{pid, port};
            }
            std::this_thread::sleep_for(2ms);
        }
        return fail(Errc::WORKER,
                    "swtpm started but did not answer on port " + std::to_string(port + 1));
    }
    return fail(Errc::WORKER,
                "swtpm failed to start 8 times; last log: " + last_log.substr(0, 300));
}

Result<void> stop_worker(Run_info const &run, bool save_volatile)
{
    if (save_volatile) {
        auto const r = HV_TRY(ctrl_command(run.port + 1, Ctrl_cmd::STORE_VOLATILE));
        if (r != 0)
            return fail(Errc::WORKER,
                        "swtpm could not save volatile state (result " + std::to_string(r) + ")");
    }
    (void)ctrl_command(run.port + 1, Ctrl_cmd::SHUTDOWN);
    for (int i = 0; i < 300; ++i) {
        if (::kill(run.pid, 0) != 0 && errno == ESRCH)
            return {};
        std::ifstream stat("/proc/" + std::to_string(run.pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line) || line.find(") Z") != std::string::npos)
            return {};
        std::this_thread::sleep_for(10ms);
    }
    ::kill(run.pid, SIGKILL);
    return {};
}

} // namespace dom::vtpm
