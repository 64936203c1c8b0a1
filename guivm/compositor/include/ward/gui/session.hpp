// SPDX-License-Identifier: MIT
// One guest's agent connection: the handshake, the message handlers (decode -> look up the window
// -> validate -> act) and the per-domain limits. A protocol violation disconnects the agent and
// removes its windows; nothing it sends can reach another domain's state.
#pragma once

#include <QSocketNotifier>
#include <QString>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "ward/gui/label_colours.hpp"
#include "ward/gui/parser.hpp"
#include "ward/gui/window.hpp"
#include "ward/vchan/vchan.hpp"

namespace gvm
{

class Compositor;

struct Domain_spec
{
    QString name;
    QString label;
    unsigned domid = 0;
};

struct Session_limits
{
    std::size_t max_windows = 256;
    std::size_t messages_per_turn = 1024; // then yield to the event loop (fairness)
    std::size_t max_outbox = 4u << 20;    // bytes queued for an agent that does not read
};

class Session : public QObject
{
  public:
    enum class Phase
    {
        AWAIT_VERSION,
        RUNNING,
        DISCONNECTED,
    };

    Session(Compositor &c, Domain_spec spec, Label_info label, dom::vchan::Vchan::Ptr chan,
            Session_limits limits = {});
    ~Session() override;

    QString const &name() const { return spec_.name; }
    Label_info const &label() const { return label_; }
    Phase phase() const { return phase_; }
    QString const &disconnect_reason() const { return reason_; }
    std::map<uint32_t, Window> const &windows() const { return windows_; }
    Window *window(uint32_t id);
    std::size_t messages_handled() const { return handled_; }

    // Queues a daemon -> agent message; a session whose agent stops reading is disconnected.
    void send(std::vector<uint8_t> const &bytes);
    // Handles what the agent sent, within this turn's budget.
    void pump();
    void disconnect(QString const &reason);

  private:
    using Status = hv::Result<void, QString>;
    Status handle(proto::Message &m);
    Status handshake();
    Status on_create(uint32_t id, proto::Create_body const &b);
    Status on_destroy(Window &w);
    Status on_map(Window &w, proto::Map_body const &b);
    Status on_configure(Window &w, proto::Configure_body const &b);
    Status on_damage(Window &w, proto::Damage_body const &b);
    Status on_title(Window &w, proto::Title_body const &b);
    Status on_flags(Window &w, proto::Flags_body const &b);
    Status on_dump(Window &w, proto::Window_dump const &d);
    void flush();

    Compositor &comp_;
    Domain_spec spec_;
    Label_info label_;
    dom::vchan::Vchan::Ptr chan_;
    Session_limits limits_;
    std::unique_ptr<QSocketNotifier> notifier_;
    int notifier_fd_ = -1;
    proto::Stream_parser parser_{proto::Direction::FROM_AGENT};
    Phase phase_ = Phase::AWAIT_VERSION;
    QString reason_;
    std::map<uint32_t, Window> windows_;
    std::vector<uint8_t> outbox_;
    std::size_t handled_ = 0;
    bool pump_scheduled_ = false;
};

} // namespace gvm
