// SPDX-License-Identifier: MIT
// Frame colours from the real ACM policy (domains/policy/examples/desktop.xml via ward_policy).
#include <QtTest>

#include "harness.hpp"
#include "ward/gui/policy_label_colours.hpp"

using namespace gvm;

class Tst_policy_colours : public QObject
{
    Q_OBJECT

  private slots:
    void colours_and_coalitions_from_the_policy();
    void windows_are_framed_in_the_policy_colour();
    void missing_policy_is_an_error();
};

namespace
{

std::string desktop_policy()
{
    return qEnvironmentVariable("WARD_SOURCE_DIR").toStdString() +
           "/domains/policy/examples/desktop.xml";
}

} // namespace

void Tst_policy_colours::colours_and_coalitions_from_the_policy()
{
    auto c = Policy_label_colours::load(desktop_policy());
    QVERIFY2(c, c ? "" : qPrintable(c.error()));
    auto work = c->lookup(QStringLiteral("work"));
    QVERIFY(work);
    QCOMPARE(work->colour, QColor(0x2f, 0x6f, 0xd0));
    QCOMPARE(work->coalition, QStringLiteral("ste_work"));
    auto banking = c->lookup(QStringLiteral("banking"));
    QVERIFY(banking);
    QCOMPARE(banking->colour, QColor(0xd4, 0xa0, 0x17));
    QVERIFY(banking->coalition != work->coalition);
    QVERIFY(!c->lookup(QStringLiteral("gui")));       // no coalition colour: cannot be framed
    QVERIFY(!c->lookup(QStringLiteral("disk_work"))); // a resource label, not a domain
    QVERIFY(!c->lookup(QStringLiteral("nonexistent")));
}

void Tst_policy_colours::windows_are_framed_in_the_policy_colour()
{
    auto c = Policy_label_colours::load(desktop_policy());
    QVERIFY(c);
    QTemporaryDir dir;
    Image_backend backend;
    Compositor comp{{}, *c, backend};
    dom::vchan::Endpoint const ep{dir.path().toStdString(), 7, 0, proto::VCHAN_PORT};
    auto agent = Test_agent::listen(ep);
    QVERIFY(agent);
    QVERIFY(comp.connect_domain({QStringLiteral("bank"), QStringLiteral("banking"), 7}, ep));
    QVERIFY(QTest::qWaitFor([&] { return (*agent)->ready(); }));
    uint32_t const id = (*agent)->create({200, 200, 100, 100});
    QVERIFY((*agent)->attach_buffer(id, {100, 100}, Qt::white));
    (*agent)->map(id);
    QVERIFY(QTest::qWaitFor([&] {
        Window *w = comp.session("bank")->window(id);
        return w && w->mapped && w->buffer;
    }));
    comp.render();
    Window const *w = comp.session("bank")->window(id);
    QCOMPARE(QColor(comp.screen().pixel(w->client.topLeft() + QPoint(-2, 10))),
             QColor(0xd4, 0xa0, 0x17));
    QVERIFY(!comp.connect_domain({QStringLiteral("gui2"), QStringLiteral("gui"), 8}, ep));
}

void Tst_policy_colours::missing_policy_is_an_error()
{
    auto c = Policy_label_colours::load("/nonexistent/policy.xml");
    QVERIFY(!c);
    QVERIFY(!c.error().isEmpty());
}

QTEST_MAIN(Tst_policy_colours)
#include "tst_policy_colours.moc"
