// SPDX-License-Identifier: MIT
// ward-gui-agent end to end: a guest-side Xvfb with an ordinary Xlib application in it, the real
// ward-gui-agent process mirroring it over a real vchan (socket transport), and the GUI daemon's
// compositor in this process (offscreen backend, so its composed screen can be read back).
// Checks: the window appears with its sanitized title, its pixels reach the composition, damage
// and title updates propagate, the override-redirect popup keeps its flag and is unmapped, and a
// key the user types into the focused window arrives in the X application through XTest.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <optional>
#include <unistd.h>

#include "ward/gui/compositor.hpp"
#include "ward/gui/image_backend.hpp"
#include "ward/gui/title.hpp"

using namespace gvm;

class Tst_x11_agent : public QObject
{
    Q_OBJECT

  private slots:
    void mirror_and_input_data();
    void mirror_and_input();
    void unmodified_xmessage();
};

namespace
{

struct Proc
{
    std::unique_ptr<QProcess> p = std::make_unique<QProcess>();
    QByteArray out;
    ~Proc()
    {
        if (p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(3000))
                p->kill();
            p->waitForFinished(3000);
        }
    }
    QByteArray const &read()
    {
        out += p->readAllStandardOutput();
        return out;
    }
};

// A free display number: the X socket and lock file must both be absent.
int free_display()
{
    for (int n = 100 + ::getpid() % 500; n < 1000; ++n)
        if (!QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n)) &&
            !QFile::exists(QStringLiteral("/tmp/.X%1-lock").arg(n)))
            return n;
    return -1;
}

// The guest side: its own Xvfb on a free display and the real ward-gui-agent on it, serving its
// vchan (socket transport) in a temporary folder as domain `domid`.
struct Guest
{
    explicit Guest(unsigned id) : domid{id} {}

    // Starts Xvfb and waits for its socket, then the agent (MIT-SHM off unless `shm`). Failures
    // are QVERIFY failures: the caller checks QTest::currentTestFailed().
    void start(bool shm)
    {
        int const n = free_display();
        QVERIFY(n > 0);
        QString const display = QStringLiteral(":%1").arg(n);
        xvfb.p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        xvfb.p->start(QStringLiteral("Xvfb"), {display, QStringLiteral("-screen"),
                                               QStringLiteral("0"), QStringLiteral("1024x768x24"),
                                               QStringLiteral("-nolisten"), QStringLiteral("tcp")});
        QVERIFY2(xvfb.p->waitForStarted(), "Xvfb did not start");
        QVERIFY2(
            QTest::qWaitFor(
                [&] { return QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n)); }, 10000),
            "Xvfb never opened its socket");
        env.insert(QStringLiteral("DISPLAY"), display);
        if (!shm)
            env.insert(QStringLiteral("WARD_GUI_AGENT_NO_SHM"), QStringLiteral("1"));
        run(agent, QStringLiteral(WARD_GUI_AGENT),
            {QStringLiteral("--vchan-dir"), dir.path(), QStringLiteral("--domid"),
             QString::number(domid)});
        QVERIFY(agent.p->waitForStarted());
    }

    // Starts `program` in this guest: on its X display, with the agent's environment.
    void run(Proc &proc, QString const &program, QStringList const &args) const
    {
        proc.p->setProcessEnvironment(env);
        proc.p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        proc.p->start(program, args);
    }

    unsigned const domid;
    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    Proc xvfb;
    Proc agent;
};

// The GUI daemon's side: its compositor (offscreen image backend, one label colour).
struct Daemon
{
    // Connects the compositor to the guest's agent as domain "guest" (label red), retrying until
    // the agent's vchan is there. Failures are QVERIFY failures, as in Guest::start.
    void connect(Guest const &guest)
    {
        QVERIFY(colours.has_value());
        Compositor_config cfg;
        cfg.layout.screen = QSize(1280, 800);
        comp.emplace(cfg, *colours, backend);
        dom::vchan::Endpoint const ep{guest.dir.path().toStdString(), guest.domid, 0,
                                      proto::VCHAN_PORT};
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return comp
                             ->connect_domain(
                                 {QStringLiteral("guest"), QStringLiteral("red"), guest.domid}, ep)
                             .has_value();
                     },
                     10000),
                 "could not connect to the agent's vchan");
    }

    hv::Result<Static_label_colours, QString> colours =
        Static_label_colours::parse(QStringLiteral("red work #cc0000\n"));
    Image_backend backend;
    std::optional<Compositor> comp;
};

Window const *first(Compositor &c, bool override_redirect)
{
    Session *s = c.session(QStringLiteral("guest"));
    if (!s)
        return nullptr;
    for (auto const &[id, w] : s->windows())
        if (w.override_redirect == override_redirect)
            return &w;
    return nullptr;
}

} // namespace

void Tst_x11_agent::mirror_and_input_data()
{
    QTest::addColumn<bool>("shm");
    QTest::newRow("MIT-SHM") << true;
    QTest::newRow("XGetImage") << false;
}

void Tst_x11_agent::mirror_and_input()
{
    QFETCH(bool, shm);
    // The guest's X server and the agent first, then the application: windows mapped before and
    // after the daemon connects are both mirrored (the client maps after the agent connected
    // here; the scan covers the rest).
    Guest guest{3};
    guest.start(shm);
    if (QTest::currentTestFailed())
        return;
    Proc client;
    guest.run(client, QStringLiteral(WARD_X11_TEST_CLIENT), {});
    QVERIFY(client.p->waitForStarted());
    QVERIFY2(QTest::qWaitFor([&] { return client.read().contains("client: ready"); }, 10000),
             "the X client never came up");

    // The GUI daemon's compositor, connecting to the agent's vchan.
    Daemon daemon;
    daemon.connect(guest);
    if (QTest::currentTestFailed())
        return;
    Compositor &comp = *daemon.comp;

    auto pixel_at_centre = [&](Window const *w) {
        comp.render();
        return w ? comp.screen().pixel(w->client.center()) & 0xffffff : 0u;
    };
    auto shown = [&](bool ovr) {
        Window const *w = first(comp, ovr);
        return w && w->mapped && w->buffer;
    };
    QVERIFY2(QTest::qWaitFor([&] { return shown(false) && shown(true); }, 10000),
             "the X windows never appeared in the daemon");
    Window const *main_w = first(comp, false);
    Window const *popup = first(comp, true);
    QCOMPARE(main_w->client.size(), QSize(200, 150));
    QCOMPARE(popup->client.size(), QSize(60, 40));

    // Title: _NET_WM_NAME (UTF-8) wins over WM_NAME; the daemon drops the RTL override.
    QVERIFY(
        QTest::qWaitFor([&] { return main_w->title == QStringLiteral("Farbtest \u2713"); }, 5000));
    QCOMPARE(decorated_title(QStringLiteral("guest"), main_w->title),
             QStringLiteral("[guest] Farbtest \u2713"));

    // The urgency hint reaches the daemon as DEMANDS_ATTENTION (the frame is marked).
    QVERIFY(QTest::qWaitFor([&] { return main_w->demands_attention; }, 5000));
    QVERIFY(!popup->demands_attention);

    // Pixels: red main window, green popup, in the daemon's composed screen.
    QVERIFY2(QTest::qWaitFor([&] { return pixel_at_centre(main_w) == 0xff0000u; }, 5000),
             qPrintable(QStringLiteral("main window centre is #%1")
                            .arg(pixel_at_centre(main_w), 6, 16, QLatin1Char('0'))));
    QVERIFY(QTest::qWaitFor([&] { return pixel_at_centre(popup) == 0x00ff00u; }, 5000));

    // The user clicks into the window (focus by a user action), then types 'a' (X keycode 38).
    QPoint const inside = main_w->client.topLeft() + QPoint(20, 30);
    comp.button(inside, 1, true);
    comp.button(inside, 1, false);
    QVERIFY(comp.focus() && comp.focus()->window == main_w->id);
    QVERIFY2(
        QTest::qWaitFor([&] { return client.read().contains("client: button 1 at 20,30"); }, 5000),
        client.read().constData());
    comp.key({true, 38, Qt::Key_A, {}});
    comp.key({false, 38, Qt::Key_A, {}});
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     return client.read().contains(
                         "client: key press keycode 38 keysym a state 0x0");
                 },
                 5000),
             client.read().constData());
    QVERIFY(QTest::qWaitFor(
        [&] { return client.read().contains("client: key release keycode 38"); }, 5000));

    // The client's reaction travels back: repaint (damage), new title, popup unmapped.
    QVERIFY2(QTest::qWaitFor([&] { return pixel_at_centre(main_w) == 0x0000ffu; }, 5000),
             "the repaint never reached the daemon");
    QVERIFY(QTest::qWaitFor([&] { return main_w->title == QStringLiteral("Pressed"); }, 5000));
    QVERIFY(QTest::qWaitFor([&] { return !popup->mapped; }, 5000));
    QVERIFY(QTest::qWaitFor([&] { return !main_w->demands_attention; }, 5000));

    // A shifted key: the daemon's modifier state is reproduced in the guest.
    comp.key({true, 38, Qt::Key_A, Qt::ShiftModifier});
    comp.key({false, 38, Qt::Key_A, Qt::ShiftModifier});
    QVERIFY2(QTest::qWaitFor(
                 [&] { return client.read().contains("keycode 38 keysym a state 0x1"); }, 5000),
             client.read().constData());

    // Secure copy: Ctrl+Shift+C takes the guest's CLIPBOARD selection into the daemon.
    comp.key({true, 54, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier});
    comp.key({false, 54, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier});
    QVERIFY2(QTest::qWaitFor([&] { return comp.clipboard().data == "guest secret 42"; }, 5000),
             comp.clipboard().data.constData());
    QCOMPARE(comp.clipboard().source_domain, QStringLiteral("guest"));
    QVERIFY(!client.read().contains("keycode 54")); // the copy sequence is the daemon's
    // Secure paste (same domain: allowed): the agent owns CLIPBOARD with the daemon's data, and
    // the application reads it from there.
    comp.key({true, 55, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier});
    comp.key({false, 55, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier});
    QVERIFY2(
        QTest::qWaitFor([&] { return client.read().contains("client: lost clipboard"); }, 5000),
        "the agent never took CLIPBOARD for the paste");
    comp.key({true, 55, Qt::Key_V, {}});
    comp.key({false, 55, Qt::Key_V, {}});
    QVERIFY2(QTest::qWaitFor(
                 [&] { return client.read().contains("client: pasted 'guest secret 42'"); }, 5000),
             client.read().constData());

    // The application exits: the window is destroyed in the daemon too.
    uint32_t const id = main_w->id;
    client.p->kill();
    client.p->waitForFinished(3000);
    QVERIFY(QTest::qWaitFor(
        [&] {
            Session *s = comp.session(QStringLiteral("guest"));
            return s && !s->window(id);
        },
        5000));
    QCOMPARE(guest.agent.p->state(), QProcess::Running);
}

// A stock X application (xmessage, Athena widgets), started after the daemon connected: it shows
// up with its title and its drawn text, and Return typed by the user activates its default button,
// so it exits and its window goes away in the daemon.
void Tst_x11_agent::unmodified_xmessage()
{
    QString const xmessage = QStandardPaths::findExecutable(QStringLiteral("xmessage"));
    if (xmessage.isEmpty())
        QSKIP("xmessage (x11-utils) is not installed");
    Guest guest{4};
    guest.start(true);
    if (QTest::currentTestFailed())
        return;
    Daemon daemon;
    daemon.connect(guest);
    if (QTest::currentTestFailed())
        return;
    Compositor &comp = *daemon.comp;
    QVERIFY(QTest::qWaitFor([&] { return guest.agent.read().contains("connected"); }, 5000));

    Proc app;
    guest.run(app, xmessage,
              {QStringLiteral("-default"), QStringLiteral("okay"), QStringLiteral("-geometry"),
               QStringLiteral("+200+150"), QStringLiteral("hello from the guest")});
    QVERIFY(app.p->waitForStarted());
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     Window const *w = first(comp, false);
                     return w && w->mapped && w->buffer && w->title == QStringLiteral("xmessage");
                 },
                 10000),
             "xmessage never appeared in the daemon with its title");
    Window const *w = first(comp, false);
    // Its drawn contents (text, button) reach the composition: more than one colour inside.
    QVERIFY(QTest::qWaitFor(
        [&] {
            comp.render();
            QImage const img = comp.screen().copy(w->client);
            QSet<QRgb> seen;
            for (int y = 0; y < img.height(); y += 2)
                for (int x = 0; x < img.width(); x += 2)
                    seen.insert(img.pixel(x, y));
            return seen.size() >= 2;
        },
        5000));
    uint32_t const id = w->id;
    QPoint const corner = w->client.topLeft() + QPoint(1, 1);
    comp.button(corner, 1, true);
    comp.button(corner, 1, false);
    QVERIFY(comp.focus() && comp.focus()->window == id);
    QTest::qWait(200);
    comp.key({true, 36, Qt::Key_Return, {}});
    comp.key({false, 36, Qt::Key_Return, {}});
    QVERIFY2(app.p->waitForFinished(5000), "Return never reached xmessage");
    QCOMPARE(app.p->exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.p->exitCode(), 0);
    QVERIFY(QTest::qWaitFor(
        [&] {
            Session *s = comp.session(QStringLiteral("guest"));
            return s && !s->window(id);
        },
        5000));
}

QTEST_MAIN(Tst_x11_agent)
#include "tst_x11_agent.moc"
