// SPDX-License-Identifier: MIT
// The compositor on the offscreen platform: framing, titles, geometry, focus rules, input
// routing, the secure attention key and the clipboard policy.
#include <QtTest>

#include "harness.hpp"
#include "ward/gui/title.hpp"

using namespace gvm;
using namespace gvm::test;
using proto::Type;

class Tst_compositor : public QObject
{
    Q_OBJECT

  private slots:
    void frame_is_the_coalition_colour();
    void title_sanitizing_data();
    void title_sanitizing();
    void title_is_shown_with_the_domain();
    void geometry_is_clamped_data();
    void geometry_is_clamped();
    void menus_cover_at_most_90_percent();
    void unknown_label_is_refused();
    void mapping_never_gives_focus();
    void click_gives_focus_and_marks_the_frame();
    void keys_go_only_to_the_focused_domain();
    void pointer_goes_only_to_the_focused_domain();
    void secure_attention_key_is_never_delivered();
    void clipboard_same_coalition_is_allowed();
    void clipboard_cross_coalition_asks();
    void clipboard_cross_coalition_denied();
    void clipboard_size_limit();
    void clipboard_unsolicited_data_is_ignored();
};

void Tst_compositor::frame_is_the_coalition_colour()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("home", "blue");
    QVERIFY(a.agent && b.agent);
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    uint32_t const wb = h.window(b, {500, 300, 200, 150}, Qt::yellow);
    Window const *A = h.find(a, wa);
    Window const *B = h.find(b, wb);
    QVERIFY(A && B);
    Screen_layout const &l = h.comp().config().layout;
    // Left border, bottom border, right end of the title bar: all the coalition colour.
    QCOMPARE(h.pixel(A->client.topLeft() + QPoint(-2, 10)), WORK.rgb());
    QCOMPARE(h.pixel(A->client.bottomLeft() + QPoint(10, 2)), WORK.rgb());
    QCOMPARE(h.pixel(l.title_bar(A->client).topRight() + QPoint(-2, 2)), WORK.rgb());
    QCOMPARE(h.pixel(B->client.topLeft() + QPoint(-2, 10)), PERSONAL.rgb());
    // The guest's own pixels inside.
    QCOMPARE(h.pixel(A->client.center()), QColor(Qt::green).rgb());
    QCOMPARE(h.pixel(B->client.center()), QColor(Qt::yellow).rgb());
    // The scanout got the same frame.
    QCOMPARE(h.backend().scanout().pixel(A->client.center()), QColor(Qt::green).rgb());
}

void Tst_compositor::title_sanitizing_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QByteArray("Inbox - Mail") << QStringLiteral("Inbox - Mail");
    QTest::newRow("control chars")
        << QByteArray("a\x01\x1b[31mb\x7f") << QStringLiteral("a__[31mb_");
    QTest::newRow("RLO override") << QByteArray("invoice\xe2\x80\xaeslx.exe")
                                  << QStringLiteral("invoiceslx.exe");
    QTest::newRow("isolates and marks")
        << QByteArray("x\xe2\x81\xa6y\xe2\x81\xa9z\xe2\x80\x8f") << QStringLiteral("xyz");
    QTest::newRow("utf8 kept") << QByteArray("caf\xc3\xa9 \xe2\x82\xac")
                               << QStringLiteral("café €");
    QTest::newRow("overlong slash") << QByteArray("a\xc0\xaf") << QStringLiteral("a__");
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QStringLiteral("___");
    QTest::newRow("truncated seq") << QByteArray("ab\xe2\x82") << QStringLiteral("ab__");
    QTest::newRow("newline") << QByteArray("one\ntwo") << QStringLiteral("one_two");
    QTest::newRow("too long") << QByteArray(100, 'x') << QString(77, QLatin1Char('x')) + "...";
    QTest::newRow("cut never splits a pair") << QByteArray(78, 'x') + QByteArray("\xf0\x9f\x98\x80"
                                                                                 "abcdef")
                                             << QString(77, QLatin1Char('x')) + "...";
    QTest::newRow("emoji kept") << QByteArray("hi \xf0\x9f\x98\x80")
                                << QStringLiteral("hi ") + QString::fromUcs4(U"\U0001F600", 1);
}

void Tst_compositor::title_sanitizing()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, expected);
    QCOMPARE(sanitize_title({raw.constData(), static_cast<std::size_t>(raw.size())}), expected);
}

void Tst_compositor::title_is_shown_with_the_domain()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    uint32_t const w = h.window(a, {100, 100, 300, 100}, Qt::white);
    a.agent->title(w, QByteArray("Pay\xe2\x80\xae"
                                 "fdp.exe\x07"));
    QVERIFY(h.wait([&] { return !h.find(a, w)->title.isEmpty(); }));
    QCOMPARE(h.find(a, w)->title, QStringLiteral("Payfdp.exe_"));
    h.click(h.find(a, w)->client.center());
    QVERIFY(h.comp().panel_text().contains(QStringLiteral("[work-mail] Payfdp.exe_")));
    // The title bar has text pixels (not only the frame colour) where the title is drawn.
    Screen_layout const &l = h.comp().config().layout;
    QRect const bar = l.title_bar(h.find(a, w)->client);
    int text_pixels = 0;
    for (int x = bar.left() + 20; x < bar.left() + 150; ++x)
        for (int y = bar.top(); y <= bar.bottom(); ++y)
            text_pixels += h.pixel({x, y}) != WORK.rgb();
    QVERIFY(text_pixels > 20);
}

void Tst_compositor::geometry_is_clamped_data()
{
    QTest::addColumn<QRect>("request");
    QTest::newRow("oversized") << QRect(0, 0, 100000, 100000);
    QTest::newRow("over the panel") << QRect(10, -50, 200, 200);
    QTest::newRow("off the right edge") << QRect(1200, 300, 400, 100);
    QTest::newRow("far negative") << QRect(-2000000000, -2000000000, 50, 50);
    QTest::newRow("zero size") << QRect(100, 100, 0, 0);
}

void Tst_compositor::geometry_is_clamped()
{
    QFETCH(QRect, request);
    Screen_layout const l;
    Placement const p = place_window(l, request.x(), request.y(),
                                     static_cast<uint32_t>(std::max(0, request.width())),
                                     static_cast<uint32_t>(std::max(0, request.height())), false);
    QVERIFY(l.work_area().contains(l.outer(p.client)));
    QVERIFY(!l.outer(p.client).intersects(QRect(0, 0, l.screen.width(), l.panel_height)));
    QVERIFY(p.client.width() >= 1 && p.client.height() >= 1);
}

void Tst_compositor::menus_cover_at_most_90_percent()
{
    Screen_layout const l;
    Placement const small = place_window(l, 10, 40, 300, 400, true);
    QVERIFY(small.override_redirect);
    Placement const huge = place_window(l, 0, 0, 1280, 780, true);
    QVERIFY(!huge.override_redirect); // decorated and clamped like any window
    QVERIFY(l.work_area().contains(l.outer(huge.client)));
    // End to end: a guest's giant popup loses override-redirect.
    Harness h;
    Guest a = h.add("work-mail", "red");
    uint32_t const w = h.window(a, {0, 0, 1280, 800}, Qt::blue, true);
    QVERIFY(!h.find(a, w)->override_redirect);
    uint32_t const m = h.window(a, {50, 60, 200, 300}, Qt::blue, true);
    QVERIFY(h.find(a, m)->override_redirect);
    QCOMPARE(h.pixel(h.find(a, m)->client.topLeft() + QPoint(-2, 5)), WORK.rgb()); // framed too
}

void Tst_compositor::unknown_label_is_refused()
{
    Harness h;
    Guest g = h.add("mystery", "green");
    QVERIFY(!g.agent);
}

void Tst_compositor::mapping_never_gives_focus()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("home", "blue");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    h.click(h.find(a, wa)->client.center());
    QVERIFY(h.comp().focus() && h.comp().focus()->window == wa);
    // A new window of another domain appears on top but gets no focus.
    uint32_t const wb = h.window(b, {150, 120, 200, 150}, Qt::yellow);
    h.settle();
    QCOMPARE(h.comp().focus()->window, wa);
    QCOMPARE(h.comp().focus()->session, a.session(h.comp()));
    QVERIFY(!b.agent->focused(wb));
    QCOMPARE(b.agent->count(Type::FOCUS), std::size_t{0});
}

void Tst_compositor::click_gives_focus_and_marks_the_frame()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("home", "blue");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    uint32_t const wb = h.window(b, {500, 300, 200, 150}, Qt::yellow);
    Screen_layout const &l = h.comp().config().layout;
    auto mark = [&](Window const *w) {
        QRect const bar = l.title_bar(w->client);
        return h.pixel({bar.left() + 4 + l.title_height / 4, bar.center().y()});
    };
    QVERIFY(!h.comp().focus());
    QCOMPARE(mark(h.find(a, wa)), WORK.rgb());
    h.click(h.find(a, wa)->client.center());
    QVERIFY(h.wait([&] { return a.agent->focused(wa); }));
    QCOMPARE(mark(h.find(a, wa)), FOCUS_MARK_COLOUR.rgb());
    QCOMPARE(mark(h.find(b, wb)), PERSONAL.rgb());
    // KEYMAP_NOTIFY comes before FOCUS_IN.
    auto const &rx = a.agent->received();
    auto km =
        std::find_if(rx.begin(), rx.end(), [](auto &m) { return m.type == Type::KEYMAP_NOTIFY; });
    auto fi = std::find_if(rx.begin(), rx.end(), [](auto &m) { return m.type == Type::FOCUS; });
    QVERIFY(km != rx.end() && fi != rx.end() && km < fi);
    // Clicking the other domain's frame moves focus there.
    h.click(l.title_bar(h.find(b, wb)->client).center());
    QVERIFY(h.wait([&] { return b.agent->focused(wb) && !a.agent->focused(wa); }));
    QCOMPARE(mark(h.find(b, wb)), FOCUS_MARK_COLOUR.rgb());
    QCOMPARE(mark(h.find(a, wa)), WORK.rgb());
}

void Tst_compositor::keys_go_only_to_the_focused_domain()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("home", "blue");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    h.window(b, {500, 300, 200, 150}, Qt::yellow);
    h.key(Qt::Key_A, KC_A); // nobody has focus: nobody gets it
    QCOMPARE(a.agent->count(Type::KEYPRESS) + b.agent->count(Type::KEYPRESS), std::size_t{0});
    h.click(h.find(a, wa)->client.center());
    h.key(Qt::Key_A, KC_A, Qt::ShiftModifier);
    QVERIFY(h.wait([&] { return a.agent->count(Type::KEYPRESS) == 2; }));
    auto const k = std::get<proto::Keypress_body>(a.agent->last(Type::KEYPRESS)->body);
    QCOMPARE(k.keycode, KC_A);
    QCOMPARE(k.state, 1u); // X ShiftMask
    QCOMPARE(b.agent->count(Type::KEYPRESS), std::size_t{0});
}

void Tst_compositor::pointer_goes_only_to_the_focused_domain()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("home", "blue");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    uint32_t const wb = h.window(b, {500, 300, 200, 150}, Qt::yellow);
    h.click(h.find(a, wa)->client.center());
    std::size_t const before = a.agent->count(Type::MOTION);
    h.comp().motion(h.find(b, wb)->client.center()); // over the unfocused domain's window
    h.settle();
    QCOMPARE(b.agent->count(Type::MOTION), std::size_t{0});
    QCOMPARE(a.agent->count(Type::MOTION), before);
    h.comp().motion(h.find(a, wa)->client.topLeft() + QPoint(5, 6));
    QVERIFY(h.wait([&] { return a.agent->count(Type::MOTION) > before; }));
    auto const m = std::get<proto::Motion_body>(a.agent->last(Type::MOTION)->body);
    QCOMPARE(m.x, 5);
    QCOMPARE(m.y, 6);
    QVERIFY(a.agent->count(Type::CROSSING) >= 1);
    QCOMPARE(b.agent->count(Type::BUTTON), std::size_t{0});
}

void Tst_compositor::secure_attention_key_is_never_delivered()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    h.click(h.find(a, wa)->client.center());
    h.key(Qt::Key_Delete, KC_DELETE, Qt::ControlModifier | Qt::AltModifier);
    QCOMPARE(h.comp().overlay(), Overlay::SECURE_ATTENTION);
    QVERIFY(h.comp().overlay_text().contains(QStringLiteral("work-mail")));
    QVERIFY(h.comp().overlay_text().contains(QStringLiteral("work")));
    // While the overlay is up, keys and clicks go nowhere.
    h.key(Qt::Key_A, KC_A);
    h.click(h.find(a, wa)->client.center());
    h.settle();
    QCOMPARE(a.agent->count(Type::KEYPRESS), std::size_t{0});
    QCOMPARE(a.agent->count(Type::BUTTON), std::size_t{2}); // only the click that focused
    // The overlay is drawn over the guest (a guest cannot draw over it).
    QSize const s = h.comp().config().layout.screen;
    QCOMPARE(h.pixel({s.width() / 8 + 4, s.height() / 3 + 4}), WORK.rgb());
    h.key(Qt::Key_Escape, KC_ESCAPE);
    QCOMPARE(h.comp().overlay(), Overlay::NONE);
    QCOMPARE(a.agent->count(Type::KEYPRESS), std::size_t{0});
    h.key(Qt::Key_A, KC_A);
    QVERIFY(h.wait([&] { return a.agent->count(Type::KEYPRESS) == 2; }));
}

namespace
{

// Copies from `from`'s window and pastes into `to`'s window with the trusted key sequences.
void copy_paste(Harness &h, Guest &from, uint32_t wf, Guest &to, uint32_t wt)
{
    h.click(h.find(from, wf)->client.center());
    h.key(Qt::Key_C, KC_C, Qt::ControlModifier | Qt::ShiftModifier);
    h.wait([&] { return !h.comp().clipboard().empty(); }, 2000);
    h.click(h.find(to, wt)->client.center());
    h.key(Qt::Key_V, KC_V, Qt::ControlModifier | Qt::ShiftModifier);
}

} // namespace

void Tst_compositor::clipboard_same_coalition_is_allowed()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("work-dev", "red-dev");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    uint32_t const wb = h.window(b, {500, 300, 200, 150}, Qt::yellow);
    a.agent->set_clipboard("quarterly numbers");
    h.click(h.find(a, wa)->client.center());
    h.key(Qt::Key_C, KC_C, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(h.wait([&] { return !h.comp().clipboard().empty(); }));
    QCOMPARE(h.comp().clipboard().source_domain, QStringLiteral("work-mail"));
    QVERIFY(h.comp().panel_text().contains(QStringLiteral("from work-mail"))); // user sees source
    QCOMPARE(a.agent->count(Type::KEYPRESS), std::size_t{0}); // the sequence never reaches a guest
    h.click(h.find(b, wb)->client.center());
    h.key(Qt::Key_V, KC_V, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(h.wait([&] { return b.agent->pasted().size() == 1; }));
    QCOMPARE(b.agent->pasted()[0], QByteArray("quarterly numbers"));
    QCOMPARE(b.agent->count(Type::KEYPRESS), std::size_t{0});
    QVERIFY(h.comp().clipboard().empty()); // one paste per copy
}

void Tst_compositor::clipboard_cross_coalition_asks()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("home", "blue");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    uint32_t const wb = h.window(b, {500, 300, 200, 150}, Qt::yellow);
    a.agent->set_clipboard("secret");
    copy_paste(h, a, wa, b, wb);
    QCOMPARE(h.comp().overlay(), Overlay::PASTE_PROMPT);
    QVERIFY(h.comp().overlay_text().contains(QStringLiteral("work-mail")));
    QVERIFY(h.comp().overlay_text().contains(QStringLiteral("home")));
    h.settle();
    QCOMPARE(b.agent->pasted().size(), std::size_t{0});
    h.key(Qt::Key_Escape, KC_ESCAPE); // the user says no
    h.settle();
    QCOMPARE(b.agent->pasted().size(), std::size_t{0});
    QCOMPARE(h.comp().overlay(), Overlay::NONE);
    // Ask again and accept.
    h.key(Qt::Key_V, KC_V, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(h.comp().overlay(), Overlay::PASTE_PROMPT);
    h.key(Qt::Key_Return, KC_RETURN);
    QVERIFY(h.wait([&] { return b.agent->pasted().size() == 1; }));
    QCOMPARE(b.agent->pasted()[0], QByteArray("secret"));
    QCOMPARE(b.agent->count(Type::KEYPRESS), std::size_t{0}); // Enter/Escape went to the prompt
}

void Tst_compositor::clipboard_cross_coalition_denied()
{
    Compositor_config cfg;
    cfg.clipboard.cross_coalition = Paste_rule::DENY;
    Harness h{cfg};
    Guest a = h.add("work-mail", "red");
    Guest b = h.add("home", "blue");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    uint32_t const wb = h.window(b, {500, 300, 200, 150}, Qt::yellow);
    a.agent->set_clipboard("secret");
    copy_paste(h, a, wa, b, wb);
    h.settle();
    QCOMPARE(b.agent->pasted().size(), std::size_t{0});
    QVERIFY(h.comp().notice().contains(QStringLiteral("denied")));
    QCOMPARE(h.comp().overlay(), Overlay::NONE);
}

void Tst_compositor::clipboard_size_limit()
{
    Compositor_config cfg;
    cfg.clipboard.max_bytes = 1000;
    Harness h{cfg};
    Guest a = h.add("work-mail", "red");
    uint32_t const wa = h.window(a, {100, 100, 200, 150}, Qt::green);
    a.agent->set_clipboard(QByteArray(1001, 'x'));
    h.click(h.find(a, wa)->client.center());
    h.key(Qt::Key_C, KC_C, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(h.wait([&] { return h.comp().notice().contains(QStringLiteral("exceed")); }));
    QVERIFY(h.comp().clipboard().empty());
    a.agent->set_clipboard(QByteArray(1000, 'x'));
    h.key(Qt::Key_C, KC_C, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(h.wait([&] { return h.comp().clipboard().data.size() == 1000; }));
}

void Tst_compositor::clipboard_unsolicited_data_is_ignored()
{
    Harness h;
    Guest a = h.add("work-mail", "red");
    h.window(a, {100, 100, 200, 150}, Qt::green);
    QByteArray const push("pushed by the guest");
    a.agent->send_raw(proto::encode_clipboard({reinterpret_cast<uint8_t const *>(push.constData()),
                                               static_cast<std::size_t>(push.size())}));
    h.settle();
    QVERIFY(h.comp().clipboard().empty());
    QVERIFY(a.session(h.comp())); // not a violation, just ignored
}

QTEST_MAIN(Tst_compositor)
#include "tst_compositor.moc"
