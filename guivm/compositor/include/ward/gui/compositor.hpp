// SPDX-License-Identifier: MIT
// The GUI domain's compositor core: guest windows from every session, the trusted decoration
// (frame and "[domain] title" in the coalition colour, the panel, the overlays), focus chosen by
// the user alone, input routed to the focused domain only, and the secure clipboard.
#pragma once

#include <QImage>
#include <QObject>
#include <QRegion>
#include <QTimer>
#include <bitset>
#include <memory>
#include <optional>
#include <vector>

#include "ward/gui/backend.hpp"
#include "ward/gui/clipboard.hpp"
#include "ward/gui/geometry.hpp"
#include "ward/gui/label_colours.hpp"
#include "ward/gui/session.hpp"

namespace gvm
{

struct Compositor_config
{
    Screen_layout layout;
    Clipboard_config clipboard;
    Session_limits limits;
    QColor background{0x30, 0x30, 0x38};
};

// A key as the input device reports it: X keycode (evdev + 8), Qt key and modifiers.
struct Key_event
{
    bool press = true;
    uint32_t keycode = 0;
    int key = 0; // Qt::Key
    Qt::KeyboardModifiers modifiers;
};

struct Focus
{
    Session *session = nullptr;
    uint32_t window = 0;
};

enum class Overlay
{
    NONE,
    SECURE_ATTENTION, // names the focused domain; dismissed with Escape
    PASTE_PROMPT,     // asks before a cross-coalition paste; Enter pastes, Escape cancels
};

// Colour of the focus mark on the focused window's title bar.
inline QColor const FOCUS_MARK_COLOUR{0xff, 0xff, 0xff};

class Compositor : public QObject
{
    Q_OBJECT

  public:
    Compositor(Compositor_config config, Label_colours const &colours, Backend &backend);
    ~Compositor() override;

    // Adds a guest whose agent listens on `chan` (already created); refused if the label has no
    // colour in the policy.
    hv::Result<Session *, QString> add_domain(Domain_spec const &spec, dom::vchan::Vchan::Ptr chan);
    // Connects to a guest agent's published vchan.
    hv::Result<Session *, QString> connect_domain(Domain_spec const &spec,
                                                  dom::vchan::Endpoint const &ep);
    std::vector<Session *> sessions() const;
    Session *session(QString const &name) const;

    // User input (from the backend). These are the only ways focus ever changes.
    void key(Key_event const &e);
    void button(QPoint pos, uint32_t button, bool press, Qt::KeyboardModifiers mods = {});
    void motion(QPoint pos, Qt::KeyboardModifiers mods = {});

    // Composes everything damaged so far and presents it. Normally driven by a zero timer.
    void render();
    QImage const &screen() const { return screen_; }
    Compositor_config const &config() const { return config_; }

    std::optional<Focus> focus() const;
    Overlay overlay() const { return overlay_; }
    QString overlay_text() const;
    Clipboard_contents const &clipboard() const { return clipboard_; }
    QString notice() const { return notice_; }
    QString panel_text() const;
    uint64_t frames() const { return frames_; }

    // Called by sessions.
    void damage(QRect r);
    void window_gone(Session &s, Window const &w);
    void session_gone(Session &s, QString const &reason);
    void clipboard_data(Session &s, QByteArray const &data);
    uint64_t next_stacking() { return ++stacking_; }
    QPoint pointer() const { return pointer_; }
    bool exiting() const { return exiting_; }

  signals:
    void domain_disconnected(QString domain, QString reason);
    void presented();

  private:
    struct Hit
    {
        Session *session;
        Window *window;
    };
    std::optional<Hit> window_at(QPoint pos) const;
    std::optional<Hit> focused() const;
    void set_focus(Session *s, uint32_t window);
    void send_key(Key_event const &e);
    void copy();
    void paste();
    void finish_paste(bool accept);
    void show_overlay(Overlay o);
    void draw_window(class QPainter &p, Session const &s, Window const &w, bool focused);
    void draw_panel(QPainter &p);
    void draw_overlay(QPainter &p);
    void schedule();
    void purge();

    Compositor_config config_;
    Label_colours const &colours_;
    Backend &backend_;
    std::vector<std::unique_ptr<Session>> sessions_;
    QImage screen_;
    QRegion dirty_;
    QTimer frame_timer_;
    uint64_t stacking_ = 0;
    uint64_t frames_ = 0;
    Focus focus_{};
    bool has_focus_ = false;
    QPoint pointer_;
    bool pointer_inside_focus_ = false;
    std::bitset<256> keys_down_;
    std::bitset<256> swallowed_; // keys whose press was a trusted combination: drop the release
    Overlay overlay_ = Overlay::NONE;
    Clipboard_contents clipboard_;
    Session *copy_pending_ = nullptr;
    struct
    {
        Session *target = nullptr;
        uint32_t window = 0;
    } paste_pending_;
    QString notice_;
    bool exiting_ = false;
};

} // namespace gvm
