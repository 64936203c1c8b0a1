// SPDX-License-Identifier: MIT
#include "vtpm/tpmif_backend.hpp"

namespace dom::vtpm
{

std::optional<std::uint32_t> parse_xs_unsigned(std::string_view s, std::uint32_t max)
{
    if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0'))
        return std::nullopt;
    std::uint64_t v = 0;
    for (char const c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > max)
        return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

std::optional<Xenbus_state> parse_xenbus_state(std::string_view s)
{
    auto const v = parse_xs_unsigned(s, static_cast<std::uint32_t>(Xenbus_state::RECONFIGURED));
    if (!v)
        return std::nullopt;
    return static_cast<Xenbus_state>(*v);
}

char const *xenbus_state_name(Xenbus_state s)
{
    switch (s) {
    case Xenbus_state::UNKNOWN: return "Unknown";
    case Xenbus_state::INITIALISING: return "Initialising";
    case Xenbus_state::INIT_WAIT: return "InitWait";
    case Xenbus_state::INITIALISED: return "Initialised";
    case Xenbus_state::CONNECTED: return "Connected";
    case Xenbus_state::CLOSING: return "Closing";
    case Xenbus_state::CLOSED: return "Closed";
    case Xenbus_state::RECONFIGURING: return "Reconfiguring";
    case Xenbus_state::RECONFIGURED: return "Reconfigured";
    }
    return "?";
}

namespace
{

Backend_decision decision(Backend_action a, std::string reason = {})
{
    Backend_decision d;
    d.action = a;
    d.reason = std::move(reason);
    return d;
}

// The frontend says it is set up (Initialised, or already Connected): check what it wrote.
Backend_decision try_connect(Frontend_nodes const &f)
{
    if (!f.feature_protocol_v2 || *f.feature_protocol_v2 != "1")
        return decision(Backend_action::REFUSE,
                        "frontend does not offer feature-protocol-v2 (only tpmif v2 is served)");
    if (!f.ring_ref)
        return decision(Backend_action::REFUSE, "frontend wrote no ring-ref");
    auto const ref = parse_xs_unsigned(*f.ring_ref);
    if (!ref)
        return decision(Backend_action::REFUSE,
                        "ring-ref '" + f.ring_ref->substr(0, 16) + "' is not a grant reference");
    if (!f.event_channel)
        return decision(Backend_action::REFUSE, "frontend wrote no event-channel");
    auto const port = parse_xs_unsigned(*f.event_channel, TPMIF_MAX_PORT);
    if (!port || *port == 0)
        return decision(Backend_action::REFUSE, "event-channel '" + f.event_channel->substr(0, 16) +
                                                    "' is not a port (1.." +
                                                    std::to_string(TPMIF_MAX_PORT) + ")");
    Backend_decision d = decision(Backend_action::CONNECT);
    d.ring_ref = *ref;
    d.port = *port;
    return d;
}

} // namespace

Backend_decision tpmif_backend_decide(Backend_phase phase, Frontend_nodes const &f)
{
    if (phase == Backend_phase::REFUSED) // only a frontend that starts over gets another look
        return f.state && parse_xenbus_state(*f.state) == Xenbus_state::INITIALISING
                   ? decision(Backend_action::RESTART)
                   : decision(Backend_action::STAY);
    if (!f.state) // the frontend's directory (or the frontend) is gone
        return phase == Backend_phase::CLOSED
                   ? decision(Backend_action::STAY)
                   : decision(Backend_action::CLOSE, "frontend device directory is gone");
    auto const st = parse_xenbus_state(*f.state);
    if (!st)
        return decision(Backend_action::STAY,
                        "ignoring malformed frontend state '" + f.state->substr(0, 16) + "'");
    bool const closing = *st == Xenbus_state::CLOSING || *st == Xenbus_state::CLOSED;
    switch (phase) {
    case Backend_phase::WAITING:
        if (closing)
            return decision(Backend_action::CLOSE,
                            std::string("frontend is ") + xenbus_state_name(*st));
        if (*st == Xenbus_state::INITIALISED || *st == Xenbus_state::CONNECTED)
            return try_connect(f);
        return decision(Backend_action::STAY);
    case Backend_phase::CONNECTED:
        if (closing)
            return decision(Backend_action::CLOSE,
                            std::string("frontend is ") + xenbus_state_name(*st));
        if (*st == Xenbus_state::INITIALISING || *st == Xenbus_state::UNKNOWN)
            return decision(Backend_action::CLOSE, "frontend started over");
        return decision(Backend_action::STAY);
    case Backend_phase::CLOSED:
        if (*st == Xenbus_state::INITIALISING || *st == Xenbus_state::INITIALISED)
            return decision(Backend_action::RESTART);
        return decision(Backend_action::STAY);
    case Backend_phase::REFUSED: break;
    }
    return decision(Backend_action::STAY);
}

} // namespace dom::vtpm
