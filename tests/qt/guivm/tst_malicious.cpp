// SPDX-License-Identifier: MIT
// The malicious-agent suite: one test per kind of hostile input from the issue. Each runs a
// hostile domain next to a well-behaved one and checks that the bad input is refused or clamped,
// that a protocol violation disconnects the hostile agent, and that the other domain is
// unaffected (its window still drawn, its input still delivered).
#include <QtTest>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.hpp"

using namespace gvm;
using namespace gvm::test;
using proto::Type;

namespace
{

std::vector<uint8_t> raw_header(uint32_t type, uint32_t window, uint32_t len)
{
    std::vector<uint8_t> v(sizeof(proto::Header));
    proto::Header const h{type, window, len};
    std::memcpy(v.data(), &h, sizeof h);
    return v;
}

} // namespace

class Tst_malicious : public QObject
{
    Q_OBJECT

  private slots:
    void init();
    void cleanup();

    void oversized_window_is_clamped();
    void zero_sized_window_is_clamped();
    void title_controls_and_overrides_are_removed();
    void damage_flood_is_coalesced();
    void create_flood_disconnects();
    void buffer_too_small_disconnects();
    void unsealed_buffer_disconnects();
    void unknown_buffer_handle_disconnects();
    void grant_refs_on_host_transport_disconnect();
    void other_domains_window_is_unreachable();
    void duplicate_create_disconnects();
    void window_zero_and_subwindows_disconnect();
    void bogus_type_disconnects();
    void bad_length_disconnects();
    void input_messages_from_agent_disconnect();
    void overlapping_flags_disconnect();
    void fullscreen_is_not_granted();
    void wrong_version_is_refused();
    void truncated_message_then_hangup();
    void agent_cannot_take_focus();

  private:
    // Expects the hostile session to be gone and the good domain to be intact.
    void expect_disconnected();
    void expect_good_domain_intact();

    std::unique_ptr<Harness> h_;
    Guest good_;
    Guest evil_;
    uint32_t good_win_ = 0;
};

void Tst_malicious::init()
{
    h_ = std::make_unique<Harness>();
    good_ = h_->add("work-mail", "red");
    evil_ = h_->add("hostile", "blue");
    QVERIFY(good_.agent && evil_.agent);
    good_win_ = h_->window(good_, {100, 100, 300, 200}, Qt::green);
    good_.agent->title(good_win_, "Inbox");
    h_->click(h_->find(good_, good_win_)->client.center());
    QVERIFY(h_->wait([&] { return good_.agent->focused(good_win_); }));
}

void Tst_malicious::cleanup()
{
    good_ = {};
    evil_ = {};
    h_.reset();
}

void Tst_malicious::expect_disconnected()
{
    QVERIFY(h_->wait([&] { return evil_.session(h_->comp()) == nullptr; }));
    QVERIFY(h_->wait([&] {
        evil_.agent->pump();
        return evil_.agent->closed();
    }));
    QVERIFY(h_->comp().notice().contains(QStringLiteral("hostile disconnected")));
    expect_good_domain_intact();
}

void Tst_malicious::expect_good_domain_intact()
{
    h_->settle();
    Window const *w = h_->find(good_, good_win_);
    QVERIFY(w && w->mapped);
    QCOMPARE(w->title, QStringLiteral("Inbox"));
    QCOMPARE(h_->pixel(w->client.center()), QColor(Qt::green).rgb());
    QCOMPARE(h_->pixel(w->client.topLeft() + QPoint(-2, 5)), WORK.rgb());
    QVERIFY(h_->comp().focus() && h_->comp().focus()->window == good_win_);
    std::size_t const before = good_.agent->count(Type::KEYPRESS);
    h_->key(Qt::Key_A, KC_A);
    QVERIFY(h_->wait([&] { return good_.agent->count(Type::KEYPRESS) == before + 2; }));
}

void Tst_malicious::oversized_window_is_clamped()
{
    uint32_t const id = h_->window(evil_, {-100, -100, 100000, 100000}, Qt::red);
    Window const *w = h_->find(evil_, id);
    QVERIFY(w);
    Screen_layout const &l = h_->comp().config().layout;
    QVERIFY(l.work_area().contains(l.outer(w->client)));
    // The panel stays the daemon's: its pixels are not the guest's red.
    QCOMPARE(h_->pixel({l.screen.width() - 3, 3}), QColor(0x10, 0x10, 0x10).rgb());
    h_->click(w->client.center()); // give focus back to the good domain afterwards
    h_->click(h_->find(good_, good_win_)->client.center()); // covered now: click raises evil
    QVERIFY(evil_.session(h_->comp()));
}

void Tst_malicious::zero_sized_window_is_clamped()
{
    uint32_t const id = evil_.agent->create({300, 300, 0, 0});
    evil_.agent->map(id);
    QVERIFY(h_->wait([&] {
        Window const *w = h_->find(evil_, id);
        return w && w->mapped;
    }));
    QCOMPARE(h_->find(evil_, id)->client.size(), QSize(1, 1));
    expect_good_domain_intact();
}

void Tst_malicious::title_controls_and_overrides_are_removed()
{
    uint32_t const id = h_->window(evil_, {600, 400, 100, 100}, Qt::red);
    evil_.agent->title(id, QByteArray("\x1b]0;[work-mail] Inbox\x07\xe2\x80\xae\r\n"));
    QVERIFY(h_->wait([&] { return !h_->find(evil_, id)->title.isEmpty(); }));
    QString const t = h_->find(evil_, id)->title;
    for (QChar c : t)
        QVERIFY(c.isPrint());
    QVERIFY(!t.contains(QChar(0x202e)));
    expect_good_domain_intact();
}

void Tst_malicious::damage_flood_is_coalesced()
{
    uint32_t const id = h_->window(evil_, {600, 400, 200, 200}, Qt::red);
    uint64_t const frames_before = h_->comp().frames();
    std::vector<uint8_t> flood;
    for (int i = 0; i < 50000; ++i) {
        auto const m = proto::encode(Type::DAMAGE, id, proto::Damage_body{i % 200, i % 100, 3, 3});
        flood.insert(flood.end(), m.begin(), m.end());
    }
    evil_.agent->send_raw(flood);
    // Meanwhile the good domain's requests are still served.
    good_.agent->title(good_win_, "Still here");
    QVERIFY(h_->wait([&] { return h_->find(good_, good_win_)->title == "Still here"; }));
    QVERIFY(h_->wait(
        [&] {
            Session *s = evil_.session(h_->comp());
            return s && s->messages_handled() >= 50000;
        },
        20000));
    h_->settle();
    // 50000 damage messages cost a bounded number of frames, not one each.
    QVERIFY2(h_->comp().frames() - frames_before < 2000,
             qPrintable(QString::number(h_->comp().frames() - frames_before)));
    QVERIFY(evil_.session(h_->comp()));
    good_.agent->title(good_win_, "Inbox");
    QVERIFY(h_->wait([&] { return h_->find(good_, good_win_)->title == "Inbox"; }));
    expect_good_domain_intact();
}

void Tst_malicious::create_flood_disconnects()
{
    for (int i = 0; i < 300; ++i)
        evil_.agent->create({10 * i, 10 * i, 10, 10});
    expect_disconnected();
    QVERIFY(h_->comp().notice().contains(QStringLiteral("more than 256 windows")));
}

void Tst_malicious::buffer_too_small_disconnects()
{
    uint32_t const id = evil_.agent->create({600, 400, 100, 100});
    int const fd = ::memfd_create("small", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    QCOMPARE(::ftruncate(fd, 100), 0);
    QCOMPARE(::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
    auto handle = evil_.agent->share_fd(fd);
    ::close(fd);
    QVERIFY(handle);
    evil_.agent->send_raw(proto::encode_dump_memfd(id, 100, 100, *handle));
    expect_disconnected();
    QVERIFY(h_->comp().notice().contains(QStringLiteral("smaller than the declared size")));
}

void Tst_malicious::unsealed_buffer_disconnects()
{
    // Unsealed, the guest could truncate it under the daemon's mapping (SIGBUS in the daemon).
    uint32_t const id = evil_.agent->create({600, 400, 10, 10});
    int const fd = ::memfd_create("unsealed", MFD_CLOEXEC);
    QCOMPARE(::ftruncate(fd, 400), 0);
    auto handle = evil_.agent->share_fd(fd);
    ::close(fd);
    QVERIFY(handle);
    evil_.agent->send_raw(proto::encode_dump_memfd(id, 10, 10, *handle));
    expect_disconnected();
    QVERIFY(h_->comp().notice().contains(QStringLiteral("not sealed")));
}

void Tst_malicious::unknown_buffer_handle_disconnects()
{
    uint32_t const id = evil_.agent->create({600, 400, 10, 10});
    evil_.agent->send_raw(proto::encode_dump_memfd(id, 10, 10, 4242));
    expect_disconnected();
}

void Tst_malicious::grant_refs_on_host_transport_disconnect()
{
    uint32_t const id = evil_.agent->create({600, 400, 10, 10});
    std::vector<uint32_t> const body{proto::DUMP_TYPE_GRANT_REFS, 10, 10, 32, 77};
    evil_.agent->send_raw(proto::encode_raw(Type::WINDOW_DUMP, id, body.data(), body.size() * 4));
    expect_disconnected();
}

void Tst_malicious::other_domains_window_is_unreachable()
{
    // The good domain's window id, named by the hostile agent: window ids are per domain, so it
    // names nothing of the hostile agent's and is a violation.
    evil_.agent->title(good_win_, "pwned");
    evil_.agent->damage(good_win_, {0, 0, 10, 10});
    evil_.agent->destroy(good_win_);
    expect_disconnected();
    QVERIFY(h_->comp().notice().contains(QStringLiteral("unknown window")));
}

void Tst_malicious::duplicate_create_disconnects()
{
    uint32_t const id = evil_.agent->create({600, 400, 10, 10});
    evil_.agent->send_raw(proto::encode(Type::CREATE, id, proto::Create_body{0, 0, 5, 5, 0, 0}));
    expect_disconnected();
}

void Tst_malicious::window_zero_and_subwindows_disconnect()
{
    evil_.agent->send_raw(proto::encode(Type::CREATE, 0, proto::Create_body{0, 0, 5, 5, 0, 0}));
    expect_disconnected();
    // A fresh hostile domain tries a sub-window.
    evil_ = h_->add("hostile", "blue");
    QVERIFY(evil_.agent);
    evil_.agent->send_raw(proto::encode(Type::CREATE, 9, proto::Create_body{0, 0, 5, 5, 0x100, 0}));
    expect_disconnected();
}

void Tst_malicious::bogus_type_disconnects()
{
    evil_.agent->send_raw(raw_header(0xdeadbeef, 1, 0));
    expect_disconnected();
    QVERIFY(h_->comp().notice().contains(QStringLiteral("unknown message type")));
}

void Tst_malicious::bad_length_disconnects()
{
    // A TITLE declaring 4 GiB: refused from the header alone, never read.
    evil_.agent->send_raw(raw_header(static_cast<uint32_t>(Type::TITLE), 1, 0xffffffff));
    expect_disconnected();
}

void Tst_malicious::input_messages_from_agent_disconnect()
{
    evil_.agent->send_raw(proto::encode(Type::KEYPRESS, 1, proto::Keypress_body{2, 0, 0, 0, 38}));
    expect_disconnected();
}

void Tst_malicious::overlapping_flags_disconnect()
{
    uint32_t const id = h_->window(evil_, {600, 400, 10, 10}, Qt::red);
    evil_.agent->flags(id, proto::FLAG_FULLSCREEN, proto::FLAG_FULLSCREEN);
    expect_disconnected();
}

void Tst_malicious::fullscreen_is_not_granted()
{
    uint32_t const id = h_->window(evil_, {600, 400, 100, 100}, Qt::red);
    QRect const before = h_->find(evil_, id)->client;
    evil_.agent->flags(id, proto::FLAG_FULLSCREEN, 0);
    h_->settle();
    QCOMPARE(h_->find(evil_, id)->client, before);
    QVERIFY(evil_.session(h_->comp()));
    expect_good_domain_intact();
}

void Tst_malicious::wrong_version_is_refused()
{
    Guest odd = h_->add("hostile-v2", "blue", 2u << 16);
    QVERIFY(odd.agent);
    QVERIFY(h_->wait([&] { return h_->comp().session("hostile-v2") == nullptr; }));
    QVERIFY(!odd.agent->ready());
    QVERIFY(h_->comp().notice().contains(QStringLiteral("protocol 2.0")));
    expect_good_domain_intact();
}

void Tst_malicious::truncated_message_then_hangup()
{
    auto const full = proto::encode(Type::CREATE, 5, proto::Create_body{0, 0, 5, 5, 0, 0});
    evil_.agent->send_raw({full.begin(), full.begin() + 20});
    h_->settle();
    QVERIFY(evil_.session(h_->comp())); // waits for the rest
    evil_.agent.reset();                // the guest goes away mid-message
    QVERIFY(h_->wait([&] { return evil_.session(h_->comp()) == nullptr; }));
    expect_good_domain_intact();
}

void Tst_malicious::agent_cannot_take_focus()
{
    uint32_t const id = h_->window(evil_, {120, 120, 200, 200}, Qt::red); // maps over the good one
    evil_.agent->map(id);
    evil_.agent->flags(id, proto::FLAG_DEMANDS_ATTENTION, 0);
    h_->settle();
    QVERIFY(!evil_.agent->focused(id));
    QCOMPARE(h_->comp().focus()->window, good_win_);
    // Keys still go to the good domain, even though the hostile window is on top.
    h_->key(Qt::Key_A, KC_A);
    QCOMPARE(evil_.agent->count(Type::KEYPRESS), std::size_t{0});
    QVERIFY(h_->wait([&] { return good_.agent->count(Type::KEYPRESS) >= 2; }));
}

QTEST_MAIN(Tst_malicious)
#include "tst_malicious.moc"
