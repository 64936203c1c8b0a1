// SPDX-License-Identifier: MIT
// ward-test-agent: a guest GUI agent process for tests and demos. Publishes the GUI vchan for its
// domain, and once the daemon connects shows one window filled with a colour.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>
#include <cstdio>

#include "ward/gui/test_agent.hpp"

namespace
{

int run(int argc, char **argv)
{
    QCoreApplication app{argc, argv};
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Ward test GUI agent"));
    p.addHelpOption();
    p.addOption({QStringLiteral("vchan-dir"), QStringLiteral("vchan socket directory"),
                 QStringLiteral("dir")});
    p.addOption(
        {QStringLiteral("domid"), QStringLiteral("this guest's domain id"), QStringLiteral("n")});
    p.addOption({QStringLiteral("rect"), QStringLiteral("window x,y,w,h"), QStringLiteral("rect"),
                 QStringLiteral("100,100,320,240")});
    p.addOption({QStringLiteral("colour"), QStringLiteral("fill colour"), QStringLiteral("#rrggbb"),
                 QStringLiteral("#808080")});
    p.addOption({QStringLiteral("title"), QStringLiteral("window title"), QStringLiteral("text"),
                 QStringLiteral("test window")});
    p.process(app);
    bool ok = false;
    unsigned const domid = p.value(QStringLiteral("domid")).toUInt(&ok);
    QStringList const r = p.value(QStringLiteral("rect")).split(QLatin1Char(','));
    QColor const colour{p.value(QStringLiteral("colour"))};
    if (!ok || !p.isSet(QStringLiteral("vchan-dir")) || r.size() != 4 || !colour.isValid()) {
        std::fprintf(stderr,
                     "ward-test-agent: need --vchan-dir, --domid, --rect x,y,w,h, --colour\n");
        return 2;
    }
    QRect const rect{r[0].toInt(), r[1].toInt(), r[2].toInt(), r[3].toInt()};
    dom::vchan::Endpoint const ep{p.value(QStringLiteral("vchan-dir")).toStdString(), domid, 0,
                                  gvm::proto::VCHAN_PORT};
    auto agent = gvm::Test_agent::listen(ep);
    if (!agent) {
        std::fprintf(stderr, "ward-test-agent: %s\n", qPrintable(agent.error()));
        return 1;
    }
    gvm::Test_agent &a = **agent;
    bool shown = false;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        a.pump();
        if (a.closed()) {
            std::fprintf(stderr, "ward-test-agent: daemon closed the channel\n");
            app.quit();
            return;
        }
        if (a.ready() && !shown) {
            shown = true;
            uint32_t const id = a.create(rect);
            if (auto b = a.attach_buffer(id, rect.size(), colour); !b) {
                std::fprintf(stderr, "ward-test-agent: %s\n", qPrintable(b.error()));
                app.exit(1);
                return;
            }
            a.title(id, p.value(QStringLiteral("title")).toUtf8());
            a.map(id);
            std::printf("ward-test-agent: domain %u window 0x%x shown\n", domid, id);
            std::fflush(stdout);
        }
    });
    poll.start(50);
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    try {
        return run(argc, argv);
    } catch (std::exception const &e) {
        std::fprintf(stderr, "ward-test-agent: %s\n", e.what());
        return 1;
    }
}
