// SPDX-License-Identifier: MIT
// bench-vtpm: ward-vtpm instance operations against the same operations on a bare swtpm, in the
// same run. Figures: create+start, resume of a stopped instance, PCR extends per second.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "vtpm/atomic_file.hpp"
#include "vtpm/manager.hpp"
#include "vtpm/tpm_client.hpp"
#include "vtpm/worker.hpp"

using namespace dom::vtpm;
using Clock = std::chrono::steady_clock;

namespace
{

double ms_since(Clock::time_point t)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

[[noreturn]] void die(char const *what, Error const &e)
{
    std::fprintf(stderr, "bench-vtpm: %s: %s\n", what, e.message.c_str());
    std::exit(1);
}

template <typename T> T must(Result<T> r, char const *what)
{
    if (!r)
        die(what, r.error());
    return std::move(*r);
}

void must(Result<void> r, char const *what)
{
    if (!r)
        die(what, r.error());
}

Run_info bare_start(std::string const &dir, bool reset)
{
    (void)make_dir(dir);
    Worker_config wc;
    wc.state_dir = dir;
    wc.log_path = dir + ".log";
    wc.encrypted = false;
    wc.reset = reset;
    return must(start_worker(wc), "bare swtpm start");
}

double extends_per_second(std::string const &tcti, int n)
{
    auto tpm = must(Tpm_client::connect(tcti), "connect");
    Digest d{};
    auto const t = Clock::now();
    for (int i = 0; i < n; ++i) {
        d[0] = static_cast<std::uint8_t>(i);
        must(tpm.extend(16, d), "extend");
    }
    return n / (ms_since(t) / 1000.0);
}

} // namespace

int main()
{
    setenv("TSS2_LOG", "all+NONE", 1);
    char tmpl[] = "/tmp/ward-bench-vtpm-XXXXXX";
    std::string const dir = ::mkdtemp(tmpl);
    Run_info const platform = bare_start(dir + "/platform", true);
    std::string const platform_tcti = "swtpm:host=127.0.0.1,port=" + std::to_string(platform.port);
    auto mgr = must(Manager::open({dir + "/root", platform_tcti,
                                   *Pcr_selection::parse(DEFAULT_PLATFORM_PCRS), "swtpm"}),
                    "manager open");
    Domain_identity const id{"bench", "bench", std::string(64, 'a')};
    int const rounds = 15, extends = 2000;

    std::vector<double> v_create, v_resume, b_create, b_resume;
    std::string uuid;
    for (int i = 0; i < rounds; ++i) {
        auto t = Clock::now();
        auto const inst = must(mgr->create(id), "create");
        must(mgr->start(inst.uuid, id, Start_mode::RESET), "start");
        v_create.push_back(ms_since(t));
        must(mgr->stop(inst.uuid), "stop");
        t = Clock::now();
        must(mgr->start(inst.uuid, id, Start_mode::RESUME), "resume");
        v_resume.push_back(ms_since(t));
        must(mgr->stop(inst.uuid), "stop");
        uuid = inst.uuid;

        std::string const bare = dir + "/bare" + std::to_string(i);
        t = Clock::now();
        auto run = bare_start(bare, true);
        b_create.push_back(ms_since(t));
        must(stop_worker(run, true), "bare stop");
        t = Clock::now();
        run = bare_start(bare, false);
        b_resume.push_back(ms_since(t));
        must(stop_worker(run, true), "bare stop");
    }

    // Extends alternate between the two sockets, so load from elsewhere hits both alike.
    auto const ep = must(mgr->start(uuid, id, Start_mode::RESUME), "start");
    auto const bare_run = bare_start(dir + "/bare-ext", true);
    std::string const bare_tcti = "swtpm:host=127.0.0.1,port=" + std::to_string(bare_run.port);
    std::vector<double> v_ext, b_ext;
    for (int i = 0; i < 7; ++i) {
        v_ext.push_back(extends_per_second(ep.tcti(), extends / 4));
        b_ext.push_back(extends_per_second(bare_tcti, extends / 4));
    }
    (void)stop_worker(bare_run, false);

    std::printf("bench-vtpm (medians: %d lifecycle rounds; 7 x %d extends per socket)\n", rounds,
                extends / 4);
    std::printf("%-34s %14s %14s %9s\n", "operation", "ward-vtpm", "bare swtpm", "time x");
    std::printf("%-34s %11.1f ms %11.1f ms %8.2fx\n", "create + start an instance",
                median(v_create), median(b_create), median(v_create) / median(b_create));
    std::printf("%-34s %11.1f ms %11.1f ms %8.2fx\n", "resume a stopped instance", median(v_resume),
                median(b_resume), median(v_resume) / median(b_resume));
    std::printf("%-34s %12.0f/s %12.0f/s %8.2fx\n", "PCR extends through the socket", median(v_ext),
                median(b_ext), median(b_ext) / median(v_ext));

    for (auto const &i : mgr->list())
        (void)mgr->destroy(i.uuid);
    mgr.reset();
    (void)stop_worker(platform, false);
    (void)remove_tree(dir);
    return 0;
}
