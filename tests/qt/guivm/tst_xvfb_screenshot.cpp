// SPDX-License-Identifier: MIT
// Screenshot test on a real X server (Xvfb): the compositor shows its screen in a Qt window, two
// guest agents run as separate processes in two coalitions, and the pixels read back from the X
// server must show each window's frame in its coalition's colour and the focus mark on the
// focused window only.
#include <QProcess>
#include <QScreen>
#include <QTemporaryDir>
#include <QtTest>

#include "harness.hpp"
#include "ward/gui/window_backend.hpp"

using namespace gvm;
using namespace gvm::test;

class Tst_xvfb_screenshot : public QObject
{
    Q_OBJECT

  private slots:
    void frames_on_the_x_display();
};

namespace
{

std::unique_ptr<QProcess> start_agent(QString const &dir, unsigned domid, QString const &rect,
                                      QString const &colour, QString const &title)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p->start(QStringLiteral(WARD_TEST_AGENT),
             {QStringLiteral("--vchan-dir"), dir, QStringLiteral("--domid"), QString::number(domid),
              QStringLiteral("--rect"), rect, QStringLiteral("--colour"), colour,
              QStringLiteral("--title"), title});
    return p;
}

} // namespace

void Tst_xvfb_screenshot::frames_on_the_x_display()
{
    QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
    QTemporaryDir dir;
    auto a = start_agent(dir.path(), 1, QStringLiteral("80,90,400,260"), QStringLiteral("#20c020"),
                         QStringLiteral("Quarterly report"));
    auto b = start_agent(dir.path(), 2, QStringLiteral("600,300,400,260"),
                         QStringLiteral("#e0e0e0"), QStringLiteral("Holiday photos"));
    QVERIFY(a->waitForStarted() && b->waitForStarted());

    Static_label_colours colours = test_colours();
    Compositor_config cfg;
    cfg.layout.screen = QSize(1280, 800);
    Window_backend window{cfg.layout.screen};
    Compositor comp{cfg, colours, window};
    window.attach(&comp);
    window.setPosition(0, 0);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // The agents publish their vchans when they start; connect once the sockets are there.
    auto connect = [&](Domain_spec const &spec) {
        dom::vchan::Endpoint const ep{dir.path().toStdString(), spec.domid, 0, proto::VCHAN_PORT};
        return QTest::qWaitFor([&] { return comp.connect_domain(spec, ep).has_value(); }, 10000);
    };
    QVERIFY(connect({QStringLiteral("work-mail"), QStringLiteral("red"), 1}));
    QVERIFY(connect({QStringLiteral("home"), QStringLiteral("blue"), 2}));
    auto shown = [&](QString const &name) {
        Session *s = comp.session(name);
        return s && !s->windows().empty() && s->windows().begin()->second.mapped &&
               s->windows().begin()->second.buffer && !s->windows().begin()->second.title.isEmpty();
    };
    QVERIFY(QTest::qWaitFor([&] { return shown("work-mail") && shown("home"); }, 10000));
    Window const &wa = comp.session("work-mail")->windows().begin()->second;
    Window const &wb = comp.session("home")->windows().begin()->second;

    // The user clicks into the work window through the X window (a user action).
    QTest::mouseClick(&window, Qt::LeftButton, {}, wa.client.center());
    QVERIFY(QTest::qWaitFor([&] { return comp.focus() && comp.focus()->window == wa.id; }));
    comp.render();
    QTest::qWait(300); // let the X server receive the repaint

    QImage const shot =
        window.screen()->grabWindow(0).toImage().convertToFormat(QImage::Format_RGB32);
    QPoint const origin = window.mapToGlobal(QPoint(0, 0));
    auto px = [&](QPoint p) { return QColor(shot.pixel(origin + p)); };
    Screen_layout const &l = cfg.layout;
    for (auto const &[w, colour] : {std::pair{&wa, WORK}, std::pair{&wb, PERSONAL}}) {
        QRect const bar = l.title_bar(w->client);
        QCOMPARE(px(w->client.topLeft() + QPoint(-2, 20)), colour);   // left border
        QCOMPARE(px(w->client.topRight() + QPoint(2, 20)), colour);   // right border
        QCOMPARE(px(w->client.bottomLeft() + QPoint(30, 2)), colour); // bottom border
        QCOMPARE(px(bar.topRight() + QPoint(-3, 3)), colour);         // title bar, right end
        QCOMPARE(px(w->client.topLeft() + QPoint(-2, -l.title_height - 2)), colour); // corner
    }
    QCOMPARE(px(wa.client.center()), QColor(0x20, 0xc0, 0x20)); // the guests' own pixels
    QCOMPARE(px(wb.client.center()), QColor(0xe0, 0xe0, 0xe0));
    // Focus mark: on the focused work window, not on the other.
    auto mark = [&](Window const &w) {
        QRect const bar = l.title_bar(w.client);
        return px({bar.left() + 4 + l.title_height / 4, bar.center().y()});
    };
    QCOMPARE(mark(wa), FOCUS_MARK_COLOUR);
    QCOMPARE(mark(wb), PERSONAL);
    // The trusted panel is on top, in the daemon's colour.
    QCOMPARE(px({l.screen.width() - 3, 3}), QColor(0x10, 0x10, 0x10));

    // Now the user clicks the home window: the mark moves.
    QTest::mouseClick(&window, Qt::LeftButton, {}, wb.client.center());
    comp.render();
    QTest::qWait(300);
    QImage const shot2 =
        window.screen()->grabWindow(0).toImage().convertToFormat(QImage::Format_RGB32);
    auto px2 = [&](QPoint p) { return QColor(shot2.pixel(origin + p)); };
    QRect const bar_a = l.title_bar(wa.client), bar_b = l.title_bar(wb.client);
    QCOMPARE(px2({bar_a.left() + 4 + l.title_height / 4, bar_a.center().y()}), WORK);
    QCOMPARE(px2({bar_b.left() + 4 + l.title_height / 4, bar_b.center().y()}), FOCUS_MARK_COLOUR);
    if (qEnvironmentVariableIsSet("WARD_SCREENSHOT"))
        shot2.save(qEnvironmentVariable("WARD_SCREENSHOT"));

    a->terminate();
    b->terminate();
    a->waitForFinished();
    b->waitForFinished();
}

QTEST_MAIN(Tst_xvfb_screenshot)
#include "tst_xvfb_screenshot.moc"
