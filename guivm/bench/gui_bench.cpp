// SPDX-License-Identifier: MIT
// bench-gui: the GUI domain's composition and routing costs, measured in-process with the real
// compositor, real vchans and test agents (no display: the offscreen backend's scanout copy
// stands in for the page flip).
//   - frames/s composing 8 windows of 1920x1080 on a 3840x2160 screen with 10 % damage each,
//     against full recomposition (100 % damage) and a bare memcpy of the damaged bytes, same run;
//   - damage-to-present latency p50/p99 (agent sends DAMAGE -> frame presented);
//   - input routing latency p99 (key event -> KEYPRESS read by the focused domain's agent);
//   - memory per window in the daemon.
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <algorithm>
#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <vector>

#include "ward/gui/compositor.hpp"
#include "ward/gui/image_backend.hpp"
#include "ward/gui/test_agent.hpp"

using namespace gvm;
using Clock = std::chrono::steady_clock;

namespace
{

constexpr int WINDOWS = 8;
constexpr QSize WIN{1920, 1080};
constexpr int BAND = WIN.height() / 10; // 10 % of a window per frame

struct Desk
{
    QTemporaryDir dir;
    Static_label_colours colours;
    Image_backend backend;
    std::unique_ptr<Compositor> comp;
    std::vector<std::unique_ptr<Test_agent>> agents;
    std::vector<uint32_t> ids;

    Desk()
    {
        colours.add(QStringLiteral("red"), {QStringLiteral("work"), QColor(0xcc, 0, 0)});
        colours.add(QStringLiteral("blue"), {QStringLiteral("home"), QColor(0, 0x44, 0xcc)});
        Compositor_config cfg;
        cfg.layout.screen = QSize(3840, 2160);
        comp = std::make_unique<Compositor>(cfg, colours, backend);
        for (int i = 0; i < WINDOWS; ++i) {
            dom::vchan::Endpoint const ep{dir.path().toStdString(), unsigned(i + 1), 0,
                                          proto::VCHAN_PORT};
            auto a = Test_agent::listen(ep);
            QString const name = QStringLiteral("guest%1").arg(i);
            auto s = comp->connect_domain(
                {name, i % 2 ? QStringLiteral("blue") : QStringLiteral("red"), unsigned(i + 1)},
                ep);
            if (!a || !s)
                qFatal("bench setup failed");
            agents.push_back(std::move(*a));
        }
        spin([&] {
            return std::all_of(agents.begin(), agents.end(), [](auto &a) { return a->ready(); });
        });
        for (int i = 0; i < WINDOWS; ++i) {
            QRect const r{40 + (i % 4) * 640, 60 + (i / 4) * 1000, WIN.width(), WIN.height()};
            uint32_t const id = agents[i]->create(r);
            if (!agents[i]->attach_buffer(id, WIN, QColor::fromHsv(i * 40, 200, 200)))
                qFatal("buffer");
            agents[i]->map(id);
            ids.push_back(id);
        }
        spin([&] {
            for (int i = 0; i < WINDOWS; ++i) {
                Window *w = comp->session(QStringLiteral("guest%1").arg(i))->window(ids[i]);
                if (!w || !w->mapped || !w->buffer)
                    return false;
            }
            return true;
        });
        comp->render();
    }

    template <typename F> void spin(F done)
    {
        QElapsedTimer t;
        t.start();
        while (!done()) {
            if (t.elapsed() > 10000)
                qFatal("bench: timed out");
            QCoreApplication::processEvents(QEventLoop::AllEvents);
        }
    }
    Session *session(int i) { return comp->session(QStringLiteral("guest%1").arg(i)); }
};

Desk *desk = nullptr;

// One frame: every window reports `rows` rows of damage; the daemon handles the messages (in the
// event loop, as in ward-guid) and composes once.
void frame(int band_index, int rows)
{
    uint64_t const before = desk->comp->frames();
    for (int i = 0; i < WINDOWS; ++i)
        desk->agents[i]->damage(desk->ids[i],
                                {0, (band_index * rows) % WIN.height(), WIN.width(), rows});
    for (int i = 0; i < WINDOWS; ++i)
        desk->session(i)->pump(); // what the socket notifier would run
    desk->comp->render();
    if (desk->comp->frames() == before)
        qFatal("bench: no frame composed");
}

void BM_compose_10pct_damage(benchmark::State &st)
{
    int n = 0;
    for (auto _ : st)
        frame(n++, BAND);
    st.counters["frames/s"] =
        benchmark::Counter(double(st.iterations()), benchmark::Counter::kIsRate);
    st.counters["Mpx/frame"] = double(WINDOWS) * WIN.width() * BAND / 1e6;
}

void BM_compose_full_damage(benchmark::State &st)
{
    int n = 0;
    for (auto _ : st)
        frame(n++, WIN.height());
    st.counters["frames/s"] =
        benchmark::Counter(double(st.iterations()), benchmark::Counter::kIsRate);
    st.counters["Mpx/frame"] = double(WINDOWS) * WIN.width() * WIN.height() / 1e6;
}

// Lower bound: copying the same damaged bytes with memcpy, twice (compose + scanout), no logic.
void BM_memcpy_same_bytes(benchmark::State &st)
{
    std::size_t const bytes = std::size_t(WIN.width()) * BAND * 4;
    std::vector<uint8_t> src(bytes * WINDOWS), mid(bytes * WINDOWS), dst(bytes * WINDOWS);
    for (auto _ : st) {
        std::memcpy(mid.data(), src.data(), mid.size());
        std::memcpy(dst.data(), mid.data(), dst.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    st.counters["frames/s"] =
        benchmark::Counter(double(st.iterations()), benchmark::Counter::kIsRate);
}

double pct(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size())))];
}

// DAMAGE sent by one agent -> frame presented, through the event loop (socket notifier, timer).
void damage_latency()
{
    std::vector<double> us;
    Clock::time_point t0;
    bool presented = false;
    desk->backend.on_present = [&] { presented = true; };
    for (int i = 0; i < 2000; ++i) {
        presented = false;
        int const w = i % WINDOWS;
        t0 = Clock::now();
        desk->agents[w]->damage(desk->ids[w], {0, (i * BAND) % WIN.height(), WIN.width(), BAND});
        while (!presented)
            QCoreApplication::processEvents(QEventLoop::AllEvents);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    desk->backend.on_present = nullptr;
    std::printf("damage-to-present latency (one window, 10 %% damage, 2000 samples): p50 %.0f us, "
                "p99 %.0f us\n",
                pct(us, 50), pct(us, 99));
}

// A key event from the backend -> KEYPRESS parsed by the focused domain's agent.
void input_latency()
{
    Window const *w = desk->session(3)->window(desk->ids[3]);
    QPoint const p = w->client.topLeft() + QPoint(10, 10);
    desk->comp->button(p, 1, true);
    desk->comp->button(p, 1, false);
    std::vector<double> us;
    for (int i = 0; i < 5000; ++i) {
        std::size_t const before = desk->agents[3]->received().size();
        auto const t0 = Clock::now();
        desk->comp->key({i % 2 == 0, 38, Qt::Key_A, {}});
        while (desk->agents[3]->received().size() == before)
            QCoreApplication::processEvents(QEventLoop::AllEvents);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    std::printf("input routing latency (key -> focused agent, 5000 samples): p50 %.1f us, p99 "
                "%.1f us\n",
                pct(us, 50), pct(us, 99));
}

// Daemon memory per window: the daemon's heap growth while it handles CREATE, WINDOW_DUMP,
// TITLE and MAP for N windows (the session is pumped directly, so the agent allocates nothing
// meanwhile), plus the guest's buffer, which the daemon maps shared and read-only, never copies.
void memory_per_window()
{
    dom::vchan::Endpoint const ep{desk->dir.path().toStdString(), 99, 0, proto::VCHAN_PORT};
    auto a = Test_agent::listen(ep);
    auto s = desk->comp->connect_domain({QStringLiteral("mem"), QStringLiteral("red"), 99}, ep);
    if (!a || !s)
        qFatal("memory setup");
    desk->spin([&] { return (*a)->ready(); });
    constexpr int N = 64;
    std::vector<uint32_t> ids;
    for (int i = 0; i < N; ++i) {
        ids.push_back((*a)->create({100 + i, 100 + i, WIN.width(), WIN.height()}));
        if (!(*a)->attach_buffer(ids.back(), WIN, Qt::gray))
            qFatal("buffer");
        (*a)->title(ids.back(), "Quarterly report - LibreOffice Calc");
        (*a)->map(ids.back());
    }
    desk->comp->render();
    malloc_trim(0);
    std::size_t const before = mallinfo2().uordblks;
    for (int i = 0; i < 100 && !((*s)->window(ids.back()) && (*s)->window(ids.back())->buffer);
         ++i) {
        (*s)->pump();
    }
    std::size_t const after = mallinfo2().uordblks;
    if (!(*s)->window(ids.back()) || !(*s)->window(ids.back())->buffer)
        qFatal("memory: windows not handled");
    std::printf("memory per window (daemon): %zu bytes of heap (window state, title, buffer view); "
                "the 1920x1080 buffer is %zu bytes of the guest's memory mapped read-only, not "
                "copied\n",
                (after - before) / N, std::size_t(WIN.width()) * WIN.height() * 4);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app{argc, argv};
    benchmark::Initialize(&argc, argv);
    Desk d;
    desk = &d;
    // Rates use wall-clock time (UseRealTime); the CPU column shows the daemon thread's own time.
    benchmark::RegisterBenchmark("compose_8x1080p_10pct_damage", BM_compose_10pct_damage)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2.0);
    benchmark::RegisterBenchmark("baseline_full_recompose_8x1080p", BM_compose_full_damage)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2.0);
    benchmark::RegisterBenchmark("baseline_memcpy_same_damaged_bytes_x2", BM_memcpy_same_bytes)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(1.0);
    benchmark::RunSpecifiedBenchmarks();
    damage_latency();
    input_latency();
    memory_per_window();
    desk = nullptr;
    return 0;
}
