// SPDX-License-Identifier: MIT
// The XenStore side of the tpmif v2 backend (docs/vtpm.md §7, "Transport for a Linux vTPM
// domain"), as pure decisions: what the backend does next given what it last read from the
// frontend's device directory. Every value comes from a node the frontend writes, so each is a
// string that may be missing, malformed or out of range; nothing here trusts it. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dom::vtpm
{

// Xen's enum xenbus_state (io/xenbus.h).
enum class Xenbus_state : std::uint8_t
{
    UNKNOWN = 0,
    INITIALISING = 1,
    INIT_WAIT = 2,
    INITIALISED = 3,
    CONNECTED = 4,
    CLOSING = 5,
    CLOSED = 6,
    RECONFIGURING = 7,
    RECONFIGURED = 8,
};

// A XenStore unsigned as Linux writes it ("%u"): 1 to 10 decimal digits, no sign, no spaces, no
// leading zero unless the value is 0, at most `max`. Anything else: nullopt.
std::optional<std::uint32_t> parse_xs_unsigned(std::string_view s, std::uint32_t max = 0xffffffffu);

// A xenbus state node: a parse_xs_unsigned value 0..8.
std::optional<Xenbus_state> parse_xenbus_state(std::string_view s);

// What the backend last read from the frontend's directory (nullopt: the node does not exist).
struct Frontend_nodes
{
    std::optional<std::string> state;
    std::optional<std::string> ring_ref;
    std::optional<std::string> event_channel;
    std::optional<std::string> feature_protocol_v2;
};

// Where the backend is in the handshake.
enum class Backend_phase
{
    WAITING,   // wrote InitWait, nothing mapped
    CONNECTED, // page mapped, channel bound, wrote Connected
    CLOSED,    // wrote Closed after the frontend closed or went away
    REFUSED,   // wrote Closed because the frontend's setup was unusable; only a frontend that
               // goes back to Initialising gets another look
};

enum class Backend_action
{
    STAY,    // nothing to do until the next watch event
    CONNECT, // map ring_ref, bind port, write Connected
    REFUSE,  // the frontend's setup is unusable: write Closed, map nothing (see reason)
    CLOSE,   // the frontend is closing or gone: unmap, unbind, write Closed
    RESTART, // a closed device whose frontend starts over (Initialising, or Initialised again
             // when its driver is bound anew): write InitWait, then decide again
};

struct Backend_decision
{
    Backend_action action{Backend_action::STAY};
    std::uint32_t ring_ref{0}; // CONNECT
    std::uint32_t port{0};     // CONNECT
    std::string reason;        // REFUSE, CLOSE (and STAY on a malformed state)
};

// Largest event-channel port the backend accepts (Xen's 2-level ABI on 64-bit: 4096 ports).
inline constexpr std::uint32_t TPMIF_MAX_PORT = 4095;

// The decision for the current phase and nodes. The frontend's state may take any value in any
// order: malformed or unexpected states are STAY (with a reason), never a crash or a connect.
Backend_decision tpmif_backend_decide(Backend_phase phase, Frontend_nodes const &f);

char const *xenbus_state_name(Xenbus_state s);

} // namespace dom::vtpm
