// SPDX-License-Identifier: MIT
// In-process GUI domain for tests (the KWin pattern): the real compositor core with an offscreen
// backend, real vchans, and test agents playing the guests.
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "ward/gui/compositor.hpp"
#include "ward/gui/image_backend.hpp"
#include "ward/gui/test_agent.hpp"

namespace gvm::test
{

inline QColor const WORK{0xcc, 0x00, 0x00};
inline QColor const WORK2{0xcc, 0x00, 0x00};
inline QColor const PERSONAL{0x00, 0x44, 0xcc};

inline Static_label_colours test_colours()
{
    auto c = Static_label_colours::parse(QStringLiteral("# label coalition colour\n"
                                                        "red work #cc0000\n"
                                                        "red-dev work #cc0000\n"
                                                        "blue personal #0044cc\n"));
    return *c; // a constant table: parse cannot fail
}

struct Guest
{
    std::unique_ptr<Test_agent> agent;
    QString name;
    Session *session(Compositor &c) const { return c.session(name); }
};

class Harness
{
  public:
    explicit Harness(Compositor_config cfg = {})
        : colours_{test_colours()}, comp_{std::make_unique<Compositor>(cfg, colours_, backend_)}
    {}

    Compositor &comp() { return *comp_; }
    Image_backend &backend() { return backend_; }

    // Starts an agent for a new domain and connects the compositor to it; empty on failure.
    Guest add(QString const &name, QString const &label, uint32_t version = proto::VERSION)
    {
        dom::vchan::Endpoint const ep{dir_.path().toStdString(), next_domid_++, 0,
                                      proto::VCHAN_PORT};
        auto a = Test_agent::listen(ep, version);
        if (!a) {
            qWarning() << a.error();
            return {};
        }
        auto s = comp_->connect_domain({name, label, ep.server_domain}, ep);
        if (!s) {
            qWarning() << s.error();
            return {};
        }
        Guest g{std::move(*a), name};
        if (version == proto::VERSION && !wait([&] { return g.agent->ready(); }))
            qWarning() << "agent" << name << "never became ready";
        return g;
    }

    // Runs the event loop until `cond` holds (or 5 s pass).
    template <typename F> bool wait(F cond, int ms = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (!cond()) {
            if (t.elapsed() > ms)
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        }
        return true;
    }
    // Lets every queued message and frame go through.
    void settle(int rounds = 20)
    {
        for (int i = 0; i < rounds; ++i)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
        comp_->render();
    }
    // A mapped window with a filled buffer, processed by the daemon.
    uint32_t window(Guest &g, QRect r, QColor fill, bool override_redirect = false)
    {
        uint32_t const id = g.agent->create(r, override_redirect);
        auto b = g.agent->attach_buffer(
            id, r.size().boundedTo(QSize(2048, 2048)).expandedTo(QSize(1, 1)), fill);
        if (!b)
            qWarning() << b.error();
        g.agent->map(id, override_redirect);
        wait([&] {
            Session *s = g.session(*comp_);
            Window *w = s ? s->window(id) : nullptr;
            return w && w->mapped && w->buffer;
        });
        settle();
        return id;
    }
    Window const *find(Guest &g, uint32_t id)
    {
        Session *s = g.session(*comp_);
        return s ? s->window(id) : nullptr;
    }
    QRgb pixel(QPoint p) const { return comp_->screen().pixel(p); }
    void click(QPoint p)
    {
        comp_->button(p, 1, true);
        comp_->button(p, 1, false);
        settle();
    }
    void key(int qt_key, uint32_t keycode, Qt::KeyboardModifiers mods = {})
    {
        comp_->key({true, keycode, qt_key, mods});
        comp_->key({false, keycode, qt_key, mods});
        settle();
    }

  private:
    QTemporaryDir dir_;
    Static_label_colours colours_;
    Image_backend backend_;
    std::unique_ptr<Compositor> comp_;
    unsigned next_domid_ = 1;
};

// X keycodes (evdev + 8) used by the tests.
inline constexpr uint32_t KC_A = 38, KC_C = 54, KC_V = 55, KC_DELETE = 119, KC_ESCAPE = 9,
                          KC_RETURN = 36;

} // namespace gvm::test
