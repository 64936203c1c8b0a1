// SPDX-License-Identifier: MIT
// Runs the real wardstore executable in a temporary directory for component tests.
#pragma once

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ward::store::test
{

class Store_process
{
  public:
    Store_process()
    {
        char tmpl[] = "/tmp/wardstore-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    ~Store_process()
    {
        stop(SIGTERM);
        std::filesystem::remove_all(dir_);
    }

    std::string socket() const { return dir_ + "/sock"; }
    std::string state() const { return dir_ + "/state"; }
    std::string const &dir() const { return dir_; }
    pid_t pid() const { return pid_; }

    // Starts wardstore and waits until its socket accepts connections.
    // Each of `quotas` is passed as one `--quota` argument.
    bool start(std::string const &quota = {}, std::string const &quota2 = {})
    {
        pid_ = ::fork();
        if (pid_ == 0) {
            std::string const sock = socket(), st = state();
            std::vector<char const *> argv{"wardstore", "--socket", sock.c_str(), "--state-dir",
                                           st.c_str()};
            for (std::string const *q : {&quota, &quota2})
                if (!q->empty()) {
                    argv.push_back("--quota");
                    argv.push_back(q->c_str());
                }
            for (auto const &a : extra_args)
                argv.push_back(a.c_str());
            argv.push_back(nullptr);
            ::execv(WARDSTORE_PATH, const_cast<char *const *>(argv.data()));
            ::_exit(127);
        }
        for (int i = 0; i < 500; ++i) {
            if (i % 10 == 0 && !alive()) {
                pid_ = -1; // exited (and reaped by alive())
                return false;
            }
            if (connectable())
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    // Sends `sig` and reaps the process. Returns its wait status.
    int stop(int sig)
    {
        if (pid_ <= 0)
            return 0;
        ::kill(pid_, sig);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }

    bool alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

    bool connectable() const
    {
        int const fd = raw_connect();
        if (fd < 0)
            return false;
        ::close(fd);
        return true;
    }

    int raw_connect() const
    {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::string const s = socket();
        std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
        int const fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return -1;
        }
        return fd;
    }

    // Further arguments for every start() (e.g. "--durability=process").
    std::vector<std::string> extra_args;

  private:
    std::string dir_;
    pid_t pid_ = -1;
};

} // namespace ward::store::test
