// SPDX-License-Identifier: MIT
// kill -9 of the manager (the ward-vtpm command) in the middle of creating instances, and of a
// worker in the middle of NV writes: no committed state is lost, no half-written instance stays.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tpm_test_support.hpp"
#include "vtpm/atomic_file.hpp"

extern char **environ;

using namespace dom::vtpm;
using namespace ward_test;

namespace
{

pid_t spawn_shell(std::string const &script)
{
    pid_t pid = 0;
    char const *argv[] = {"sh", "-c", script.c_str(), nullptr};
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0); // own process group, so kill(-pid) reaches the loop
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    int const rc = posix_spawn(&pid, "/bin/sh", nullptr, &attr, const_cast<char **>(argv), environ);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -1;
}

void kill_group(pid_t pid)
{
    ::kill(-pid, SIGKILL);
    int st;
    ::waitpid(pid, &st, 0);
}

// The ward-vtpm command the kill tests run and kill.
std::string vtpm_cli()
{
    return binary_dir() + "/domains/vtpm/ward-vtpm";
}

// Two platforms A and B (a swtpm and a manager root each) and the ward-vtpm command, for the
// migration kill tests.
struct Two_platforms
{
    // Checks both swtpms run and ward-vtpm is built, then reads B's migration key; failures are
    // fatal (call through ASSERT_NO_FATAL_FAILURE).
    void start()
    {
        ASSERT_TRUE(a.tpm.ok() && b.tpm.ok());
        ASSERT_TRUE(exists(cli)) << cli;
        key_b = b.key();
        ASSERT_TRUE(key_b);
    }

    Temp_dir tmp;
    Platform a{tmp.path() + "/tpm-a", tmp.path() + "/a"};
    Platform b{tmp.path() + "/tpm-b", tmp.path() + "/b"};
    std::string const cli = vtpm_cli();
    std::optional<Platform_key> key_b;
};

TEST(Vtpm_crash, KillNineOfTheManagerNeverLeavesAHalfWrittenInstance)
{
    Temp_dir tmp;
    Platform platform{tmp.path() + "/platform", tmp.path() + "/root"};
    ASSERT_TRUE(platform.tpm.ok());
    std::string const &root = platform.root;
    std::string const cli = vtpm_cli();
    ASSERT_TRUE(exists(cli)) << cli;
    std::string const m(64, 'a');
    std::string const loop = "export WARD_VTPM_ROOT=" + root +
                             " WARD_PLATFORM_TCTI=" + platform.tpm.tcti() +
                             " TSS2_LOG=all+NONE; while :; do " + cli +
                             " create --domain work --label work --measurement " + m + " >>" +
                             tmp.path() + "/created 2>/dev/null; done";
    // One create on its own, timed, so the kills below land at spread-out points of a create
    // whatever the machine's load.
    auto const t0 = std::chrono::steady_clock::now();
    auto const first = sh("WARD_VTPM_ROOT=" + root + " WARD_PLATFORM_TCTI=" + platform.tpm.tcti() +
                          " " + cli + " create --domain work --label work --measurement " + m +
                          " >> " + tmp.path() + "/created");
    ASSERT_EQ(first.status, 0) << first.out;
    auto const once = std::chrono::steady_clock::now() - t0;
    for (double const f : {0.1, 0.3, 0.5, 0.7, 0.9, 1.3, 1.7, 2.9}) {
        pid_t const pid = spawn_shell(loop);
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(
            std::chrono::duration_cast<std::chrono::microseconds>(once * f));
        kill_group(pid);
    }
    auto mgr = platform.open_after_kill();
    ASSERT_TRUE(mgr) << mgr.error().message;
    // Every instance the command reported as created is there and intact; leftovers are gone.
    auto const created = read_text(tmp.path() + "/created");
    ASSERT_TRUE(created);
    auto const list = (*mgr)->list();
    EXPECT_GT(list.size(), 0u);
    // Every instance the command reported as created is there (committed state is never lost);
    // an instance committed just before a kill may exist unreported, but complete.
    std::size_t reported = 0;
    for (std::size_t pos = 0; (pos = created->find(" stopped ", pos)) != std::string::npos; ++pos) {
        auto const line = created->rfind('\n', pos);
        auto const uuid = created->substr(line == std::string::npos ? 0 : line + 1, 36);
        ++reported;
        EXPECT_TRUE(std::any_of(list.begin(), list.end(),
                                [&](Instance_info const &i) { return i.uuid == uuid; }))
            << "reported instance " << uuid << " is missing";
    }
    EXPECT_GT(reported, 0u);
    for (auto const &i : list)
        EXPECT_EQ(i.status, Instance_status::STOPPED) << i.uuid << ": " << i.problem;
    EXPECT_NE(sh("ls -a " + root + "/instances | grep -q -e .new- -e .gone- -e .tmp").status, 0);
    ASSERT_FALSE(list.empty());
    auto const ep = (*mgr)->start(list.back().uuid, {"work", "work", m}, Start_mode::RESET);
    EXPECT_TRUE(ep) << ep.error().message;
}

TEST(Vtpm_crash, KillNineOfAWorkerDuringNvWritesKeepsCommittedState)
{
    Temp_dir tmp;
    Platform platform{tmp.path() + "/platform", tmp.path() + "/root"};
    ASSERT_TRUE(platform.tpm.ok());
    auto const mgr = platform.open();
    ASSERT_TRUE(mgr);
    auto &m = *mgr;
    auto const id = identity("work");
    auto const started = create_started(m, id);
    ASSERT_TRUE(started);
    auto const &inst = started->info;
    Result<Endpoint> ep = started->ep;
    ASSERT_EQ(sh("tpm2_nvdefine 0x1500016 -C o -s 8 -a"
                 " \"ownerread|ownerwrite|authread|authwrite|nt=counter\"",
                 ep->tcti())
                  .status,
              0);
    unsigned total_acked = 0;
    unsigned long prev_counter = 0;
    unsigned prev_n = 0;
    for (int round = 0; round < 3; ++round) {
        // Increment in a loop, logging each increment the TPM acknowledged; kill the worker.
        std::string const log = tmp.path() + "/acked";
        pid_t const pid =
            spawn_shell("export TSS2_LOG=all+NONE TPM2TOOLS_TCTI=" + ep->tcti() +
                        "; while tpm2_nvincrement 0x1500016 -C o; do echo ok >> " + log + "; done");
        ASSERT_GT(pid, 0);
        // Kill only once this round has had an increment acknowledged (however slow the host),
        // then a little later each round, so that the kill lands at different points of a write.
        auto const acked_now = [&] {
            return static_cast<unsigned>(std::stoul(sh("cat " + log + " 2>/dev/null | wc -l").out));
        };
        auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (acked_now() <= prev_n && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ASSERT_GT(acked_now(), prev_n) << "round " << round << ": no increment within 60 s";
        std::this_thread::sleep_for(std::chrono::milliseconds(30 * round));
        auto const info = m.info(inst.uuid);
        ASSERT_TRUE(info);
        ASSERT_EQ(info->status, Instance_status::RUNNING);
        ::kill(info->pid, SIGKILL);
        kill_group(pid);
        auto const acked = sh("cat " + log + " 2>/dev/null | wc -l");
        unsigned const n = static_cast<unsigned>(std::stoul(acked.out));
        total_acked = n; // the log accumulates across rounds, like the counter

        // The manager sees the dead worker as stopped; the instance restarts from its state.
        auto const after = m.info(inst.uuid);
        ASSERT_TRUE(after);
        EXPECT_EQ(after->status, Instance_status::STOPPED);
        ep = m.start(inst.uuid, id, Start_mode::RESET);
        ASSERT_TRUE(ep) << ep.error().message;
        // The read's own status is checked (a pipe would report only its last command's).
        std::string const nv = tmp.path() + "/counter.bin";
        auto const v = sh("TSS2_LOG=all+ERROR tpm2_nvread 0x1500016 -C o -o " + nv + " 2>" + nv +
                              ".err || { cat " + nv + ".err; exit 1; }; od -An -tu8 --endian=big " +
                              nv + " | tr -d \" \\n\"",
                          ep->tcti());
        // A counter no increment has reached yet is still unwritten: the TPM answers
        // TPM_RC_NV_UNINITIALIZED (0x14A), which is right only while nothing was acknowledged.
        bool const unwritten = v.status != 0 && v.out.find("(0x14A)") != std::string::npos;
        if (unwritten) {
            EXPECT_EQ(n, 0u) << "round " << round << ": acknowledged increments lost: " << v.out;
            EXPECT_EQ(prev_counter, 0u) << "round " << round << ": the counter was written before";
            continue;
        }
        ASSERT_EQ(v.status, 0) << "round " << round << ": " << v.out;
        ASSERT_TRUE(!v.out.empty() && v.out.find_first_not_of("0123456789") == std::string::npos)
            << "round " << round << ": not a counter value: " << v.out;
        unsigned long const counter = std::stoul(v.out);
        // Every acknowledged increment is there; at most the one in flight when the worker died
        // may be extra, per round (an extra one stays in the counter while the log never has it).
        EXPECT_GE(counter, n) << "round " << round;
        EXPECT_GE(counter - prev_counter, n - prev_n) << "round " << round;
        EXPECT_LE(counter - prev_counter, n - prev_n + 1) << "round " << round;
        prev_counter = counter;
        prev_n = n;
    }
    EXPECT_GT(total_acked, 0u) << "no increment finished before the kills: the test proved nothing";
}

TEST(Vtpm_crash, KillNineDuringImportNeverMakesTwoOrNone)
{
    Two_platforms p;
    ASSERT_NO_FATAL_FAILURE(p.start());
    auto const id = identity("work");
    Platform_key const &key_b = *p.key_b;
    // Instances on A, each with its own PCR 16, exported to B.
    struct Moved
    {
        std::string uuid, blob, pcr16;
    };
    std::vector<Moved> moved;
    {
        auto ma = Manager::open(p.a.config());
        ASSERT_TRUE(ma) << ma.error().message;
        for (int i = 0; i < 7; ++i) {
            auto const started = create_started(**ma, id);
            ASSERT_TRUE(started);
            auto const &[inst, ep] = *started;
            std::string const value(64, static_cast<char>('1' + i));
            ASSERT_EQ(sh("tpm2_pcrextend 16:sha256=" + value, ep.tcti()).status, 0);
            auto const pcr16 = pcr_hex(ep.tcti(), 16);
            ASSERT_EQ(pcr16.size(), 64u);
            std::string const blob = p.tmp.path() + "/blob" + std::to_string(i);
            ASSERT_TRUE((*ma)->export_instance(inst.uuid, key_b, blob));
            moved.push_back({inst.uuid, blob, pcr16});
        }
    }
    std::string const env = "export WARD_VTPM_ROOT=" + p.b.root +
                            " WARD_PLATFORM_TCTI=" + p.b.tpm.tcti() + " TSS2_LOG=all+NONE; ";
    // One import on its own, timed, so the kills below land at spread-out points of an import.
    auto const t0 = std::chrono::steady_clock::now();
    auto const first = sh(env + p.cli + " import " + moved[0].blob);
    ASSERT_EQ(first.status, 0) << first.out;
    auto const once = std::chrono::steady_clock::now() - t0;
    double const at[] = {0.2, 0.4, 0.6, 0.75, 0.9, 1.0};
    for (std::size_t i = 1; i < moved.size(); ++i) {
        pid_t const pid = spawn_shell(env + "exec " + p.cli + " import " + moved[i].blob);
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(
            std::chrono::duration_cast<std::chrono::microseconds>(once * at[i - 1]));
        kill_group(pid);
    }
    auto mgr = p.b.open_after_kill();
    ASSERT_TRUE(mgr) << mgr.error().message;
    auto &m = **mgr;
    EXPECT_NE(sh("ls -a " + p.b.root + "/instances | grep -q -e .new- -e .tmp").status, 0);
    // Each instance is either completely here (and then its blob is consumed, also when the
    // kill came between the rename and the ledger write) or not here at all (the blob imports).
    unsigned present = 0, absent = 0;
    for (auto const &mv : moved) {
        auto const info = m.info(mv.uuid);
        ++(info ? present : absent);
        if (info) {
            EXPECT_EQ(info->status, Instance_status::STOPPED) << info->problem;
            auto const again = m.import_instance(mv.blob);
            ASSERT_FALSE(again) << mv.uuid << " imported twice";
            EXPECT_EQ(again.error().code, Errc::REPLAYED) << again.error().message;
        } else {
            EXPECT_EQ(info.error().code, Errc::NOT_FOUND) << info.error().message;
            auto const late = m.import_instance(mv.blob);
            ASSERT_TRUE(late) << late.error().message;
        }
    }
    std::printf("after the kills: %u instances imported, %u not (imported now)\n", present, absent);
    // Now every instance exists exactly once here with its state, and no blob opens again.
    EXPECT_EQ(m.list().size(), moved.size());
    for (auto const &mv : moved) {
        auto const ep = m.start(mv.uuid, id, Start_mode::RESUME);
        ASSERT_TRUE(ep) << ep.error().message;
        EXPECT_EQ(pcr_hex(ep->tcti(), 16), mv.pcr16) << mv.uuid;
        ASSERT_TRUE(m.stop(mv.uuid));
        auto const replay = m.import_instance(mv.blob);
        ASSERT_FALSE(replay);
        EXPECT_EQ(replay.error().code, Errc::REPLAYED);
    }
}

TEST(Vtpm_crash, KillNineDuringExportLeavesOneImportableExport)
{
    Two_platforms p;
    ASSERT_NO_FATAL_FAILURE(p.start());
    auto const id = identity("work");
    std::string const keyfile = p.tmp.path() + "/b.key";
    Platform_key const &key_b = *p.key_b;
    ASSERT_TRUE(write_atomic(keyfile, key_b.serialize()));
    struct Inst
    {
        std::string uuid, pcr16;
    };
    std::vector<Inst> insts;
    {
        auto ma = Manager::open(p.a.config());
        ASSERT_TRUE(ma) << ma.error().message;
        for (int i = 0; i < 6; ++i) {
            auto const started = create_started(**ma, id);
            ASSERT_TRUE(started);
            auto const &[inst, ep] = *started;
            ASSERT_EQ(sh("tpm2_pcrextend 16:sha256=" + std::string(64, static_cast<char>('a' + i)),
                         ep.tcti())
                          .status,
                      0);
            insts.push_back({inst.uuid, pcr_hex(ep.tcti(), 16)});
            ASSERT_EQ(insts.back().pcr16.size(), 64u);
            ASSERT_TRUE((*ma)->stop(inst.uuid));
        }
    }
    std::string const env = "export WARD_VTPM_ROOT=" + p.a.root +
                            " WARD_PLATFORM_TCTI=" + p.a.tpm.tcti() + " TSS2_LOG=all+NONE; ";
    auto const blob = [&](std::size_t i) { return p.tmp.path() + "/blob" + std::to_string(i); };
    auto const export_cmd = [&](std::size_t i) {
        return env + "exec " + p.cli + " export " + insts[i].uuid + " --to " + keyfile + " --out " +
               blob(i);
    };
    auto const t0 = std::chrono::steady_clock::now();
    auto const first = sh(export_cmd(0));
    ASSERT_EQ(first.status, 0) << first.out;
    auto const once = std::chrono::steady_clock::now() - t0;
    double const at[] = {0.3, 0.5, 0.7, 0.85, 1.0};
    for (std::size_t i = 1; i < insts.size(); ++i) {
        pid_t const pid = spawn_shell(export_cmd(i));
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(
            std::chrono::duration_cast<std::chrono::microseconds>(once * at[i - 1]));
        kill_group(pid);
    }
    auto ma = p.a.open_after_kill();
    ASSERT_TRUE(ma) << ma.error().message;
    // Finish what the kills interrupted: an instance still here is re-exported (same target);
    // a blob from the killed run is kept beside the new one: both carry the same export id.
    std::vector<std::string> stale;
    unsigned finished_at_open = 0;
    for (std::size_t i = 0; i < insts.size(); ++i) {
        auto const info = (*ma)->info(insts[i].uuid);
        if (!info) {
            ++finished_at_open;
            EXPECT_TRUE(exists(blob(i))) << "instance gone but no blob: lost";
            continue;
        }
        EXPECT_NE(info->status, Instance_status::CORRUPT) << info->problem;
        if (exists(blob(i))) {
            ASSERT_EQ(info->status, Instance_status::EXPORTING);
            ASSERT_EQ(::rename(blob(i).c_str(), (blob(i) + ".old").c_str()), 0);
            stale.push_back(blob(i) + ".old");
        }
        auto const ex = (*ma)->export_instance(insts[i].uuid, key_b, blob(i));
        ASSERT_TRUE(ex) << ex.error().message;
    }
    std::printf("after the kills: %u exports complete, %zu stale blobs of an unfinished one\n",
                finished_at_open, stale.size());
    EXPECT_TRUE((*ma)->list().empty()) << "the source must hold no instance";

    auto mb = Manager::open(p.b.config());
    ASSERT_TRUE(mb) << mb.error().message;
    for (std::size_t i = 0; i < insts.size(); ++i) {
        auto const im = (*mb)->import_instance(blob(i));
        ASSERT_TRUE(im) << im.error().message;
        auto const ep = (*mb)->start(insts[i].uuid, id, Start_mode::RESUME);
        ASSERT_TRUE(ep) << ep.error().message;
        EXPECT_EQ(pcr_hex(ep->tcti(), 16), insts[i].pcr16);
        ASSERT_TRUE((*mb)->stop(insts[i].uuid));
    }
    for (auto const &old : stale) {
        auto const second = (*mb)->import_instance(old);
        ASSERT_FALSE(second) << old << " imported: the instance would exist twice";
        EXPECT_EQ(second.error().code, Errc::REPLAYED) << second.error().message;
    }
    EXPECT_EQ((*mb)->list().size(), insts.size());
}

} // namespace
