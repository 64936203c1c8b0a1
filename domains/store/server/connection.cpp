// SPDX-License-Identifier: MIT
#include "connection.hpp"

#include "../core/frame.hpp"

namespace dom::store
{

void Connection::send(Header const &h, std::string_view payload)
{
    if (output_size() > OUTPUT_LIMIT) {
        dead = true; // a client that never reads loses its connection, not the store's memory
        return;
    }
    out_.append(reinterpret_cast<char const *>(&h), sizeof h);
    out_.append(payload);
    out_total_ += sizeof h + payload.size();
    if (h.type != static_cast<uint32_t>(Msg::WATCH_EVENT))
        reply_ends_.push_back(out_total_);
}

size_t Connection::outstanding()
{
    while (!reply_ends_.empty() && reply_ends_.front() <= sent_total_)
        reply_ends_.pop_front();
    return reply_ends_.size();
}

void Connection::drop_output()
{
    sent_total_ += output_size();
    out_.clear();
    out_off_ = 0;
    reply_ends_.clear();
}

bool Connection::has_request() const
{
    auto const f = next_frame(std::string_view{in_}.substr(in_off_));
    return !f || f->has_value();
}

bool Connection::serve_one(Core &core, bool &handled)
{
    handled = false;
    auto const f = next_frame(std::string_view{in_}.substr(in_off_));
    if (!f)
        return false;
    if (!*f)
        return true;
    core.handle(*conn, (*f)->header, (*f)->payload);
    in_off_ += (*f)->size;
    handled = true;
    compact_input();
    return true;
}

void Connection::compact_input()
{
    if (in_off_ == in_.size()) {
        in_.clear();
        in_off_ = 0;
    } else if (in_off_ > INPUT_HIGH_WATER) {
        in_.erase(0, in_off_);
        in_off_ = 0;
    }
}

void Connection::consumed_output(size_t n)
{
    sent_total_ += n;
    out_off_ += n;
    if (out_off_ == out_.size()) {
        out_.clear();
        out_off_ = 0;
    } else if (out_off_ > OUTPUT_HIGH_WATER) {
        out_.erase(0, out_off_);
        out_off_ = 0;
    }
}

} // namespace dom::store
