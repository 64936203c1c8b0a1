// SPDX-License-Identifier: MIT
// The test agent: the guest side of the GUI protocol over a real vchan.
#include "ward/gui/test_agent.hpp"

#include <QTimer>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace gvm
{

using namespace proto;

hv::Result<std::unique_ptr<Test_agent>, QString> Test_agent::listen(dom::vchan::Endpoint const &ep,
                                                                    uint32_t version)
{
    // 256 KiB towards the daemon (damage floods, clipboard), 64 KiB back.
    auto chan = dom::vchan::Vchan::server_init(ep, 65536, 262144);
    if (!chan)
        return hv::unexpected(QStringLiteral("vchan server_init %1: %2")
                                  .arg(QString::fromStdString(ep.socket_path()),
                                       QLatin1String(dom::vchan::to_string(chan.error()))));
    std::unique_ptr<Test_agent> a{new Test_agent};
    a->chan_ = std::move(*chan);
    a->version_ = version;
    a->pump();
    return a;
}

Test_agent::~Test_agent()
{
    for (auto &[id, b] : buffers_) {
        ::munmap(b.px, static_cast<std::size_t>(b.size.width()) * b.size.height() * 4);
        ::close(b.fd);
    }
}

void Test_agent::pump()
{
    if (closed_)
        return;
    if (auto r = chan_->process_events(); !r) {
        closed_ = true;
        notifier_.reset();
        return;
    }
    if (chan_->fd() != notifier_fd_) {
        notifier_fd_ = chan_->fd();
        notifier_ = std::make_unique<QSocketNotifier>(notifier_fd_, QSocketNotifier::Read);
        connect(notifier_.get(), &QSocketNotifier::activated, this, [this] { pump(); });
    }
    if (chan_->state() != dom::vchan::State::CONNECTED)
        return;
    if (!version_sent_) {
        std::vector<uint8_t> v(4);
        std::memcpy(v.data(), &version_, 4);
        outbox_.insert(outbox_.begin(), v.begin(), v.end());
        version_sent_ = true;
    }
    flush();
    uint8_t buf[65536];
    while (chan_->data_ready() > 0) {
        auto n = chan_->read(buf, sizeof buf);
        if (!n) {
            closed_ = true;
            return;
        }
        if (!ready_) {
            pending_.insert(pending_.end(), buf, buf + *n);
            if (pending_.size() < 4 + sizeof(Xconf))
                continue;
            Xconf xc;
            std::memcpy(&negotiated_, pending_.data(), 4);
            std::memcpy(&xc, pending_.data() + 4, sizeof xc);
            screen_ = QSize(static_cast<int>(xc.w), static_cast<int>(xc.h));
            ready_ = true;
            parser_.feed({pending_.data() + 4 + sizeof xc, pending_.size() - 4 - sizeof xc});
        } else {
            parser_.feed({buf, *n});
        }
        for (;;) {
            auto m = parser_.next();
            if (!m) { // a daemon we cannot parse: give up on it
                closed_ = true;
                return;
            }
            if (!*m)
                break;
            handle(std::move(**m));
        }
    }
}

void Test_agent::handle(Message m)
{
    Type const t = m.type;
    if (t == Type::FOCUS) {
        auto const &f = std::get<Focus_body>(m.body);
        focus_[m.window] = f.type == FOCUS_IN;
    } else if (t == Type::CLIPBOARD_REQ) {
        auto const *d = reinterpret_cast<uint8_t const *>(clipboard_.constData());
        send_raw(encode_clipboard({d, static_cast<std::size_t>(clipboard_.size())}));
    } else if (t == Type::CLIPBOARD_DATA) {
        auto const &d = std::get<Clipboard>(m.body).data;
        pasted_.emplace_back(reinterpret_cast<char const *>(d.data()),
                             static_cast<qsizetype>(d.size()));
    }
    received_.push_back(std::move(m));
    emit message(t);
}

void Test_agent::flush()
{
    if (outbox_.empty() || closed_ || chan_->state() != dom::vchan::State::CONNECTED)
        return;
    auto n = chan_->write(outbox_.data(), outbox_.size());
    if (!n) {
        closed_ = true;
        return;
    }
    outbox_.erase(outbox_.begin(), outbox_.begin() + static_cast<long>(*n));
    if (!outbox_.empty()) // the ring is full: retry once the daemon has read
        QTimer::singleShot(1, this, [this] { pump(); });
}

void Test_agent::send_raw(std::vector<uint8_t> const &bytes)
{
    outbox_.insert(outbox_.end(), bytes.begin(), bytes.end());
    if (version_sent_)
        flush();
}

uint32_t Test_agent::create(QRect r, bool override_redirect)
{
    uint32_t const id = next_id_++;
    send_raw(
        encode(Type::CREATE, id,
               Create_body{r.x(), r.y(), static_cast<uint32_t>(r.width()),
                           static_cast<uint32_t>(r.height()), 0, override_redirect ? 1u : 0u}));
    return id;
}

void Test_agent::map(uint32_t id, bool override_redirect)
{
    send_raw(encode(Type::MAP, id, Map_body{0, override_redirect ? 1u : 0u}));
}

void Test_agent::unmap(uint32_t id)
{
    send_raw(encode_empty(Type::UNMAP, id));
}
void Test_agent::destroy(uint32_t id)
{
    send_raw(encode_empty(Type::DESTROY, id));
}

void Test_agent::configure(uint32_t id, QRect r)
{
    send_raw(encode(Type::CONFIGURE, id,
                    Configure_body{r.x(), r.y(), static_cast<uint32_t>(r.width()),
                                   static_cast<uint32_t>(r.height()), 0}));
}

void Test_agent::title(uint32_t id, QByteArray const &raw)
{
    Title_body b{};
    std::memcpy(b.data, raw.constData(), std::min<std::size_t>(raw.size(), TITLE_LEN - 1));
    send_raw(encode(Type::TITLE, id, b));
}

void Test_agent::damage(uint32_t id, QRect r)
{
    send_raw(encode(Type::DAMAGE, id,
                    Damage_body{r.x(), r.y(), static_cast<uint32_t>(r.width()),
                                static_cast<uint32_t>(r.height())}));
}

void Test_agent::flags(uint32_t id, uint32_t set, uint32_t unset)
{
    send_raw(encode(Type::FLAGS, id, Flags_body{set, unset}));
}

hv::Result<uint32_t, QString> Test_agent::share_fd(int fd)
{
    auto h = chan_->share_memory(fd);
    if (!h)
        return hv::unexpected(QLatin1String(dom::vchan::to_string(h.error())));
    return *h;
}

hv::Result<void, QString> Test_agent::attach_buffer(uint32_t id, QSize size, QColor fill)
{
    std::size_t const len = static_cast<std::size_t>(size.width()) * size.height() * 4;
    int const fd = ::memfd_create("ward-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(len)) != 0 ||
        ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
        return hv::unexpected(QStringLiteral("memfd: %1").arg(QLatin1String(strerror(errno))));
    void *p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        ::close(fd);
        return hv::unexpected(QStringLiteral("mmap failed"));
    }
    if (auto old = buffers_.find(id); old != buffers_.end()) {
        ::munmap(old->second.px, static_cast<std::size_t>(old->second.size.width()) *
                                     old->second.size.height() * 4);
        ::close(old->second.fd);
    }
    Buffer &b = buffers_[id];
    b = {fd, static_cast<uint32_t *>(p), size};
    std::fill(b.px, b.px + len / 4, fill.rgb());
    auto h = share_fd(fd);
    if (!h)
        return hv::unexpected(h.error());
    send_raw(encode_dump_memfd(id, static_cast<uint32_t>(size.width()),
                               static_cast<uint32_t>(size.height()), *h));
    return {};
}

void Test_agent::paint(uint32_t id, QRect r, QColor c)
{
    auto it = buffers_.find(id);
    if (it == buffers_.end())
        return;
    Buffer &b = it->second;
    QRect const clip = r.intersected(QRect(QPoint(0, 0), b.size));
    for (int y = clip.top(); y <= clip.bottom(); ++y)
        std::fill(b.px + y * b.size.width() + clip.left(),
                  b.px + y * b.size.width() + clip.right() + 1, c.rgb());
    damage(id, r);
}

uint32_t *Test_agent::pixels(uint32_t id)
{
    auto it = buffers_.find(id);
    return it == buffers_.end() ? nullptr : it->second.px;
}

std::size_t Test_agent::count(Type t) const
{
    return static_cast<std::size_t>(std::count_if(received_.begin(), received_.end(),
                                                  [t](Message const &m) { return m.type == t; }));
}

std::optional<Message> Test_agent::last(Type t) const
{
    for (auto it = received_.rbegin(); it != received_.rend(); ++it)
        if (it->type == t)
            return *it;
    return std::nullopt;
}

bool Test_agent::focused(uint32_t id) const
{
    auto it = focus_.find(id);
    return it != focus_.end() && it->second;
}

} // namespace gvm
