// SPDX-License-Identifier: MIT
// Test helpers: a Sink that records messages, and a Core client that speaks in payloads.
#pragma once

#include <string>
#include <vector>

#include "core/core.hpp"

namespace dom::store::test
{

struct Message
{
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    std::string payload;
};

class Capture_sink final : public Sink
{
  public:
    void send(Header const &h, std::string_view payload) override
    {
        msgs.push_back(Message{h.type, h.req_id, h.tx_id, std::string{payload}});
    }
    std::vector<Message> msgs;
};

inline std::string z(std::string s)
{
    s += '\0';
    return s;
}

// One connection to a Core; call() returns the reply and keeps watch events apart.
class Peer
{
  public:
    Peer(Core &core, Caller caller) : core_{core}, conn_{&core.open(caller, sink_)} {}
    ~Peer() { core_.close(*conn_); }

    Message call(Msg type, std::string const &payload, uint32_t tx = 0)
    {
        Header const h{static_cast<uint32_t>(type), ++req_, tx,
                       static_cast<uint32_t>(payload.size())};
        core_.handle(*conn_, h, payload);
        Message reply{};
        for (auto &m : sink_.msgs) {
            if (m.type == static_cast<uint32_t>(Msg::WATCH_EVENT))
                events.push_back(m.payload);
            else
                reply = m;
        }
        sink_.msgs.clear();
        return reply;
    }
    // The reply payload, or the error name prefixed with '!'.
    std::string text(Msg type, std::string const &payload, uint32_t tx = 0)
    {
        auto const m = call(type, payload, tx);
        if (m.type == static_cast<uint32_t>(Msg::ERROR))
            return "!" + m.payload.substr(0, m.payload.size() - 1);
        return m.payload;
    }
    std::string write(std::string const &p, std::string const &v, uint32_t tx = 0)
    {
        return text(Msg::WRITE, z(p) + v, tx);
    }
    std::string read(std::string const &p, uint32_t tx = 0) { return text(Msg::READ, z(p), tx); }
    uint32_t start()
    {
        return static_cast<uint32_t>(std::stoul(text(Msg::TRANSACTION_START, z(""))));
    }
    std::string end(uint32_t tx, bool commit)
    {
        return text(Msg::TRANSACTION_END, z(commit ? "T" : "F"), tx);
    }
    Conn &conn() { return *conn_; }

    std::vector<std::string> events;

  private:
    Core &core_;
    Capture_sink sink_;
    Conn *conn_;
    uint32_t req_ = 0;
};

inline std::string const OK{"OK\0", 3};

} // namespace dom::store::test
