// SPDX-License-Identifier: MIT
// Table-driven framing and structural checks of the GUI protocol.
#include "ward/gui/parser.hpp"

#include <cstring>

namespace gvm::proto
{

namespace
{

enum Senders : uint8_t
{
    AGENT = 1,
    DAEMON = 2,
    BOTH = 3,
};

constexpr std::size_t VARIABLE = ~std::size_t{0};

struct Rule
{
    Type type;
    char const *name;
    uint8_t senders;
    std::size_t length; // fixed body length, or VARIABLE
};

constexpr Rule RULES[] = {
    {Type::KEYPRESS, "KEYPRESS", DAEMON, sizeof(Keypress_body)},
    {Type::BUTTON, "BUTTON", DAEMON, sizeof(Button_body)},
    {Type::MOTION, "MOTION", DAEMON, sizeof(Motion_body)},
    {Type::CROSSING, "CROSSING", DAEMON, sizeof(Crossing_body)},
    {Type::FOCUS, "FOCUS", DAEMON, sizeof(Focus_body)},
    {Type::CREATE, "CREATE", AGENT, sizeof(Create_body)},
    {Type::DESTROY, "DESTROY", BOTH, 0},
    {Type::MAP, "MAP", BOTH, sizeof(Map_body)},
    {Type::UNMAP, "UNMAP", AGENT, 0},
    {Type::CONFIGURE, "CONFIGURE", BOTH, sizeof(Configure_body)},
    {Type::DAMAGE, "DAMAGE", AGENT, sizeof(Damage_body)},
    {Type::CLOSE, "CLOSE", DAEMON, 0},
    {Type::CLIPBOARD_REQ, "CLIPBOARD_REQ", DAEMON, 0},
    {Type::CLIPBOARD_DATA, "CLIPBOARD_DATA", BOTH, VARIABLE},
    {Type::TITLE, "TITLE", AGENT, sizeof(Title_body)},
    {Type::KEYMAP_NOTIFY, "KEYMAP_NOTIFY", DAEMON, sizeof(Keymap_body)},
    {Type::HINTS, "HINTS", AGENT, sizeof(Hints_body)},
    {Type::FLAGS, "FLAGS", BOTH, sizeof(Flags_body)},
    {Type::WMCLASS, "WMCLASS", AGENT, sizeof(Wmclass_body)},
    {Type::WINDOW_DUMP, "WINDOW_DUMP", AGENT, VARIABLE},
    {Type::CURSOR, "CURSOR", AGENT, sizeof(Cursor_body)},
    {Type::WINDOW_DUMP_ACK, "WINDOW_DUMP_ACK", DAEMON, 0},
};

Rule const *rule_for(uint32_t type)
{
    for (auto const &r : RULES)
        if (static_cast<uint32_t>(r.type) == type)
            return &r;
    return nullptr;
}

template <typename T> T load(std::span<uint8_t const> b)
{
    T v;
    std::memcpy(&v, b.data(), sizeof v);
    return v;
}

hv::Result<Body, Violation> decode_dump(std::span<uint8_t const> body)
{
    Window_dump d{load<Window_dump_header>(body)};
    if (d.hdr.bpp != DUMP_BPP || d.hdr.width == 0 || d.hdr.height == 0 ||
        d.hdr.width > MAX_WINDOW_WIDTH || d.hdr.height > MAX_WINDOW_HEIGHT)
        return hv::unexpected(Violation::BAD_VALUE);
    auto const rest = body.subspan(sizeof(Window_dump_header));
    if (d.hdr.type == DUMP_TYPE_MEMFD) {
        d.handle = load<uint32_t>(rest);
        return Body{d};
    }
    d.refs.resize(rest.size() / sizeof(uint32_t));
    std::memcpy(d.refs.data(), rest.data(), rest.size());
    return Body{std::move(d)};
}

} // namespace

char const *to_string(Violation v)
{
    switch (v) {
    case Violation::UNKNOWN_TYPE: return "unknown message type";
    case Violation::WRONG_DIRECTION: return "message type not accepted from this sender";
    case Violation::BAD_LENGTH: return "declared length does not match the message type";
    case Violation::TOO_LONG: return "message longer than its limit";
    case Violation::BAD_VALUE: return "field out of range";
    case Violation::BAD_VERSION: return "unsupported protocol version";
    }
    return "?";
}

char const *to_string(Type t)
{
    Rule const *r = rule_for(static_cast<uint32_t>(t));
    return r ? r->name : "?";
}

hv::Result<uint32_t, Violation> negotiate(uint32_t agent_version)
{
    if (agent_version >> 16 != VERSION_MAJOR)
        return hv::unexpected(Violation::BAD_VERSION);
    uint32_t const minor = agent_version & 0xffff;
    return VERSION_MAJOR << 16 | (minor < VERSION_MINOR ? minor : VERSION_MINOR);
}

hv::Result<std::size_t, Violation> body_length(Header const &h, Direction from)
{
    Rule const *r = rule_for(h.type);
    if (!r)
        return hv::unexpected(Violation::UNKNOWN_TYPE);
    if (!(r->senders & (from == Direction::FROM_AGENT ? AGENT : DAEMON)))
        return hv::unexpected(Violation::WRONG_DIRECTION);
    if (r->length != VARIABLE) {
        if (h.untrusted_len != r->length)
            return hv::unexpected(Violation::BAD_LENGTH);
        return r->length;
    }
    if (r->type == Type::CLIPBOARD_DATA) {
        if (h.untrusted_len > MAX_CLIPBOARD + 1)
            return hv::unexpected(Violation::TOO_LONG);
        return std::size_t{h.untrusted_len};
    }
    // WINDOW_DUMP: a header, then a handle or one grant ref per page of a 32-bpp buffer.
    if (h.untrusted_len < sizeof(Window_dump_header) + sizeof(uint32_t))
        return hv::unexpected(Violation::BAD_LENGTH);
    if (h.untrusted_len > sizeof(Window_dump_header) + MAX_GRANT_REFS * sizeof(uint32_t))
        return hv::unexpected(Violation::TOO_LONG);
    if ((h.untrusted_len - sizeof(Window_dump_header)) % sizeof(uint32_t) != 0)
        return hv::unexpected(Violation::BAD_LENGTH);
    return std::size_t{h.untrusted_len};
}

hv::Result<Message, Violation> decode(Header const &h, std::span<uint8_t const> body,
                                      Direction from)
{
    std::size_t const len = HV_TRY(body_length(h, from));
    if (body.size() != len)
        return hv::unexpected(Violation::BAD_LENGTH);
    Type const t = static_cast<Type>(h.type);
    Message m{t, h.window, Empty{}};
    switch (t) {
    case Type::CREATE: m.body = load<Create_body>(body); break;
    case Type::MAP: m.body = load<Map_body>(body); break;
    case Type::CONFIGURE: m.body = load<Configure_body>(body); break;
    case Type::DAMAGE: m.body = load<Damage_body>(body); break;
    case Type::TITLE: m.body = load<Title_body>(body); break;
    case Type::HINTS: m.body = load<Hints_body>(body); break;
    case Type::WMCLASS: m.body = load<Wmclass_body>(body); break;
    case Type::KEYPRESS: m.body = load<Keypress_body>(body); break;
    case Type::BUTTON: m.body = load<Button_body>(body); break;
    case Type::MOTION: m.body = load<Motion_body>(body); break;
    case Type::CROSSING: m.body = load<Crossing_body>(body); break;
    case Type::FOCUS: m.body = load<Focus_body>(body); break;
    case Type::KEYMAP_NOTIFY: m.body = load<Keymap_body>(body); break;
    case Type::CLIPBOARD_DATA: m.body = Clipboard{{body.begin(), body.end()}}; break;
    case Type::FLAGS: {
        auto const f = load<Flags_body>(body);
        if (f.flags_set & f.flags_unset)
            return hv::unexpected(Violation::BAD_VALUE);
        m.body = f;
        break;
    }
    case Type::CURSOR: {
        auto const c = load<Cursor_body>(body);
        if (c.cursor != CURSOR_DEFAULT && (c.cursor < CURSOR_X11 || c.cursor >= CURSOR_X11_MAX))
            return hv::unexpected(Violation::BAD_VALUE);
        m.body = c;
        break;
    }
    case Type::WINDOW_DUMP: {
        auto d = HV_TRY(decode_dump(body));
        auto const &dump = std::get<Window_dump>(d);
        bool const fits =
            dump.hdr.type == DUMP_TYPE_MEMFD
                ? body.size() == sizeof(Window_dump_header) + sizeof(uint32_t)
            : dump.hdr.type == DUMP_TYPE_GRANT_REFS
                ? dump.refs.size() == num_pages(uint64_t{dump.hdr.width} * dump.hdr.height * 4)
                : false;
        if (!fits)
            return hv::unexpected(dump.hdr.type > DUMP_TYPE_MEMFD ? Violation::BAD_VALUE
                                                                  : Violation::BAD_LENGTH);
        m.body = std::move(d);
        break;
    }
    default: break; // empty bodies
    }
    return m;
}

void Stream_parser::feed(std::span<uint8_t const> bytes)
{
    if (pos_ > 0 && pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    }
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

hv::Result<std::optional<Message>, Violation> Stream_parser::next()
{
    if (failed_)
        return hv::unexpected(*failed_);
    std::size_t const avail = buf_.size() - pos_;
    if (avail < sizeof(Header))
        return std::optional<Message>{};
    Header h;
    std::memcpy(&h, buf_.data() + pos_, sizeof h);
    auto const len = body_length(h, from_);
    if (!len) {
        failed_ = len.error();
        return hv::unexpected(len.error());
    }
    if (avail < sizeof(Header) + *len)
        return std::optional<Message>{};
    auto m = decode(h, {buf_.data() + pos_ + sizeof(Header), *len}, from_);
    if (!m) {
        failed_ = m.error();
        return hv::unexpected(m.error());
    }
    pos_ += sizeof(Header) + *len;
    if (pos_ > 65536 && pos_ * 2 > buf_.size()) { // keep the buffer at about one message
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<long>(pos_));
        pos_ = 0;
    }
    return std::optional<Message>{std::move(*m)};
}

} // namespace gvm::proto
