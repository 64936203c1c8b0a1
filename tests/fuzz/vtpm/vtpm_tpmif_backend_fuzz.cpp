// SPDX-License-Identifier: MIT
// libFuzzer target for the tpmif v2 backend's XenStore decisions (vtpm/tpmif_backend.hpp,
// docs/vtpm.md §7): every input string is a node the frontend writes. The input is text: byte 0
// picks the backend's starting phase (mod 4), then lines, each one snapshot of the frontend's
// directory `state|ring-ref|event-channel|feature-protocol-v2` (a missing trailing field or a
// field "~" is a node that does not exist). Each snapshot is decided and applied as
// ward-vtpm-backend applies it, and every decision is checked against the spec:
//  - parse_xs_unsigned accepts exactly Linux's "%u" of a value <= max (no sign, no space, no
//    leading zero, at most 10 digits) and gives that value back;
//  - CONNECT only from WAITING, frontend Initialised or Connected, feature-protocol-v2 exactly
//    "1", ring-ref and event-channel present and canonical, port 1..4095, and the numbers
//    returned are the ones written;
//  - a REFUSED device moves only on state "1" (RESTART), never connects, closes or refuses;
//  - a malformed or missing state never connects; reasons stay short (guest text is cut).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtpm/tpmif_backend.hpp"

namespace
{

using namespace dom::vtpm;

void require(bool ok)
{
    if (!ok)
        __builtin_trap();
}

// Reference for parse_xs_unsigned, written differently: canonical decimal and range.
std::optional<std::uint32_t> reference_unsigned(std::string_view s, std::uint32_t max)
{
    if (s.empty() || s.size() > 10)
        return std::nullopt;
    for (char const c : s)
        if (c < '0' || c > '9')
            return std::nullopt;
    std::uint64_t const v = std::stoull(std::string(s));
    if (std::to_string(v) != s || v > max)
        return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

void check_unsigned(std::string_view s)
{
    for (std::uint32_t const max : {0xffffffffu, TPMIF_MAX_PORT, 8u, 0u}) {
        auto const got = parse_xs_unsigned(s, max);
        require(got == reference_unsigned(s, max));
        if (got)
            require(std::to_string(*got) == s && *got <= max);
    }
    auto const st = parse_xenbus_state(s);
    auto const ref = reference_unsigned(s, 8);
    require(st.has_value() == ref.has_value());
    if (st)
        require(static_cast<std::uint32_t>(*st) == *ref);
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    for (;;) {
        auto const at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos)
            return out;
        s.remove_prefix(at + 1);
    }
}

std::optional<std::string> field(std::vector<std::string_view> const &f, std::size_t i)
{
    if (i >= f.size() || f[i] == "~")
        return std::nullopt;
    return std::string(f[i]);
}

void check_decision(Backend_phase phase, Frontend_nodes const &f, Backend_decision const &d)
{
    auto const state = f.state ? parse_xenbus_state(*f.state) : std::nullopt;
    require(d.reason.size() < 160);
    // Deterministic: the same nodes give the same decision.
    auto const again = tpmif_backend_decide(phase, f);
    require(again.action == d.action && again.ring_ref == d.ring_ref && again.port == d.port &&
            again.reason == d.reason);
    switch (d.action) {
    case Backend_action::CONNECT:
        require(phase == Backend_phase::WAITING);
        require(state == Xenbus_state::INITIALISED || state == Xenbus_state::CONNECTED);
        require(f.feature_protocol_v2 && *f.feature_protocol_v2 == "1");
        require(f.ring_ref && reference_unsigned(*f.ring_ref, 0xffffffffu) == d.ring_ref);
        require(f.event_channel && reference_unsigned(*f.event_channel, TPMIF_MAX_PORT) == d.port);
        require(d.port >= 1 && d.port <= TPMIF_MAX_PORT);
        break;
    case Backend_action::REFUSE:
        require(phase == Backend_phase::WAITING && !d.reason.empty());
        require(state == Xenbus_state::INITIALISED || state == Xenbus_state::CONNECTED);
        break;
    case Backend_action::CLOSE:
        require(phase == Backend_phase::WAITING || phase == Backend_phase::CONNECTED);
        require(!d.reason.empty());
        break;
    case Backend_action::RESTART:
        require(phase == Backend_phase::CLOSED || phase == Backend_phase::REFUSED);
        if (phase == Backend_phase::REFUSED)
            require(f.state && *f.state == "1");
        else
            require(state == Xenbus_state::INITIALISING || state == Xenbus_state::INITIALISED);
        break;
    case Backend_action::STAY: break;
    }
    if (f.state && !state) // a malformed state is ignored, whatever the phase
        require(d.action == Backend_action::STAY);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const *data, std::size_t size)
{
    if (size == 0)
        return 0;
    static constexpr Backend_phase phases[] = {Backend_phase::WAITING, Backend_phase::CONNECTED,
                                               Backend_phase::CLOSED, Backend_phase::REFUSED};
    Backend_phase phase = phases[data[0] % 4];
    std::string_view const text(reinterpret_cast<char const *>(data) + 1, size - 1);
    for (auto const line : split(text, '\n')) {
        auto const fields = split(line, '|');
        for (auto const fv : fields)
            check_unsigned(fv);
        Frontend_nodes f;
        f.state = field(fields, 0);
        f.ring_ref = field(fields, 1);
        f.event_channel = field(fields, 2);
        f.feature_protocol_v2 = field(fields, 3);
        auto const d = tpmif_backend_decide(phase, f);
        check_decision(phase, f, d);
        // Apply it as ward-vtpm-backend does (a CONNECT whose map and bind succeed).
        switch (d.action) {
        case Backend_action::STAY: break;
        case Backend_action::CONNECT: phase = Backend_phase::CONNECTED; break;
        case Backend_action::REFUSE: phase = Backend_phase::REFUSED; break;
        case Backend_action::CLOSE: phase = Backend_phase::CLOSED; break;
        case Backend_action::RESTART: {
            phase = Backend_phase::WAITING; // InitWait, then decide again on the same nodes
            auto const next = tpmif_backend_decide(phase, f);
            check_decision(phase, f, next);
            require(next.action != Backend_action::RESTART);
            if (next.action == Backend_action::CONNECT)
                phase = Backend_phase::CONNECTED;
            else if (next.action == Backend_action::REFUSE)
                phase = Backend_phase::REFUSED;
            else if (next.action == Backend_action::CLOSE)
                phase = Backend_phase::CLOSED;
            break;
        }
        }
    }
    return 0;
}
