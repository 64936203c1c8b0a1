// SPDX-License-Identifier: MIT
// A guest GUI agent for tests and benchmarks: serves the GUI vchan as a guest's agent does,
// creates windows backed by sealed memfds, paints them, and records what the daemon sends.
// It can also misbehave on purpose (raw bytes, foreign descriptors) for the malicious-agent suite.
#pragma once

#include <QByteArray>
#include <QColor>
#include <QObject>
#include <QRect>
#include <QSocketNotifier>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "hv/result.hpp"
#include "ward/gui/encoder.hpp"
#include "ward/gui/parser.hpp"
#include "ward/vchan/vchan.hpp"

namespace gvm
{

class Test_agent : public QObject
{
    Q_OBJECT

  public:
    // Publishes the GUI vchan at `ep` (server side) and waits for the daemon in the event loop.
    static hv::Result<std::unique_ptr<Test_agent>, QString>
    listen(dom::vchan::Endpoint const &ep, uint32_t version = proto::VERSION);
    ~Test_agent() override;

    bool ready() const { return ready_; }    // handshake complete
    bool closed() const { return closed_; }  // the daemon hung up (or refused us)
    QSize screen() const { return screen_; } // from the daemon's Xconf
    uint32_t negotiated() const { return negotiated_; }

    // Well-behaved requests.
    uint32_t create(QRect r, bool override_redirect = false);
    void map(uint32_t id, bool override_redirect = false);
    void unmap(uint32_t id);
    void destroy(uint32_t id);
    void configure(uint32_t id, QRect r);
    void title(uint32_t id, QByteArray const &raw); // up to 127 bytes are sent, NUL-terminated
    void damage(uint32_t id, QRect r);
    void flags(uint32_t id, uint32_t set, uint32_t unset);
    // Gives the window a sealed shared buffer of `size`, filled with `fill`.
    hv::Result<void, QString> attach_buffer(uint32_t id, QSize size, QColor fill);
    // Paints into the window's buffer and reports the damage.
    void paint(uint32_t id, QRect r, QColor c);
    uint32_t *pixels(uint32_t id); // the buffer, for benchmarks
    void set_clipboard(QByteArray data) { clipboard_ = std::move(data); }

    // Misbehaviour.
    void send_raw(std::vector<uint8_t> const &bytes);
    hv::Result<uint32_t, QString> share_fd(int fd);

    // What the daemon sent.
    std::vector<proto::Message> const &received() const { return received_; }
    std::size_t count(proto::Type t) const;
    std::optional<proto::Message> last(proto::Type t) const;
    std::vector<QByteArray> const &pasted() const { return pasted_; }
    bool focused(uint32_t id) const;

    void pump();

  signals:
    void message(proto::Type type);

  private:
    struct Buffer
    {
        int fd = -1;
        uint32_t *px = nullptr;
        QSize size;
    };
    Test_agent() = default;
    void flush();
    void handle(proto::Message m);

    dom::vchan::Vchan::Ptr chan_;
    std::unique_ptr<QSocketNotifier> notifier_;
    int notifier_fd_ = -1;
    uint32_t version_ = proto::VERSION;
    bool version_sent_ = false;
    bool ready_ = false;
    bool closed_ = false;
    uint32_t negotiated_ = 0;
    QSize screen_;
    std::vector<uint8_t> pending_; // handshake bytes, then parsed messages
    std::vector<uint8_t> outbox_;
    proto::Stream_parser parser_{proto::Direction::FROM_DAEMON};
    std::vector<proto::Message> received_;
    std::map<uint32_t, Buffer> buffers_;
    std::map<uint32_t, bool> focus_;
    uint32_t next_id_ = 0x100;
    QByteArray clipboard_;
    std::vector<QByteArray> pasted_;
};

} // namespace gvm
