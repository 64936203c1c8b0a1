// SPDX-License-Identifier: MIT
// Console input and focus (see console_focus.hpp, docs/console.md).
#include "kernel/console_focus.hpp"

#include "arch/x86_64/paging.hpp"
#include "hv/console_input.hpp"
#include "kernel/channels.hpp"
#include "kernel/console_ring.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

struct Input_state
{
    bool attached = false;
    uint32_t port = 0;
    uint32_t prod = 0; // Ward's own producer index of the `in` ring
    uint64_t delivered = 0;
    bool warned_full = false;
    bool warned_indices = false;
};

Input_state inputs[MAX_DOMAINS];
console::Escape_reader escape;
Domain *focus = nullptr;

size_t slot_of(Domain const &d)
{
    return static_cast<size_t>(&d - domains().data());
}

// Alive, attached, and its console page is still the one Ward set up (a reused slot whose new
// domain has no console page does not qualify).
bool can_take_input(Domain const &d)
{
    return d.alive() && inputs[slot_of(d)].attached &&
           channels(d).params[HVM_PARAM_CONSOLE_PFN] == CONSOLE_PAGE_GPA / PAGE_SIZE;
}

void announce(char const *why)
{
    console_close_line();
    if (focus == nullptr) {
        log("ward: console: %s: no domain takes input\n", why);
        return;
    }
    log("ward: console: %s: input goes to domain %u '%s' (Ctrl-] n: next, Ctrl-] ?: list)\n", why,
        focus->id, focus->name.c_str());
    console_show_open_line(*focus);
}

// The next domain after `from` (in table order, wrapping) that can take input.
Domain *next_after(Domain const *from)
{
    auto &table = domains();
    size_t const start = from == nullptr ? table.size() - 1 : slot_of(*from);
    for (size_t i = 1; i <= table.size(); ++i) {
        Domain &d = table[(start + i) % table.size()];
        if (can_take_input(d))
            return &d;
    }
    return nullptr;
}

void list_consoles()
{
    console_close_line();
    log("ward: console: domains taking input:\n");
    for (Domain &d : domains())
        if (can_take_input(d))
            log("ward: console:   %c %u '%s' (label %s)\n", &d == focus ? '*' : ' ', d.id,
                d.name.c_str(), d.label.length != 0 ? d.label.c_str() : "-");
}

void deliver_to(Domain &d, char const *bytes, size_t len)
{
    Input_state &in = inputs[slot_of(d)];
    uint64_t hpa = 0;
    if (!d.gpa_to_hpa(CONSOLE_PAGE_GPA, hpa))
        return;
    std::span<unsigned char, console::PAGE_BYTES> page{x86::phys_to_virt<unsigned char>(hpa),
                                                       console::PAGE_BYTES};
    auto const n = console::write_input(page, in.prod, {bytes, len});
    if (!n) {
        if (!in.warned_indices) {
            console_close_line();
            log("ward: domain %u '%s': console input dropped: %s\n", d.id, d.name.c_str(),
                console::ring_error_name(n.error()));
            in.warned_indices = true;
        }
        return;
    }
    in.warned_indices = false;
    if (*n < len && !in.warned_full) {
        console_close_line();
        log("ward: domain %u '%s': console input ring full, %u bytes dropped\n", d.id,
            d.name.c_str(), static_cast<unsigned>(len - *n));
        in.warned_full = true;
    } else if (*n == len) {
        in.warned_full = false;
    }
    in.delivered += *n;
    if (*n == 0)
        return;
    auto const notify = channels(d).evtchn->raise_local(in.port);
    if (notify)
        deliver(*notify);
}

} // namespace

void console_input_attach(Domain &d, uint32_t port)
{
    inputs[slot_of(d)] = Input_state{true, port, 0, 0, false, false};
    if (focus == nullptr || !can_take_input(*focus)) {
        focus = &d;
        announce("first console");
    }
}

Domain *console_focus()
{
    if (focus != nullptr && !can_take_input(*focus)) {
        focus = next_after(focus);
        announce("the domain with focus ended");
    }
    return focus;
}

void console_input(char const *bytes, size_t len)
{
    char pass[64];
    size_t n = 0;
    auto flush = [&] {
        if (n != 0 && console_focus() != nullptr)
            deliver_to(*focus, pass, n);
        n = 0;
    };
    for (size_t i = 0; i < len; ++i) {
        console::Key const k = escape.feed(static_cast<uint8_t>(bytes[i]));
        switch (k.action) {
        case console::Key_action::PASS:
            pass[n++] = static_cast<char>(k.byte);
            if (n == sizeof pass)
                flush();
            break;
        case console::Key_action::NONE: break;
        case console::Key_action::NEXT:
            flush(); // what came before the escape belongs to the old focus
            focus = next_after(console_focus());
            announce("Ctrl-] n");
            break;
        case console::Key_action::SELECT: {
            flush();
            Domain *const d = find_domain(k.byte);
            if (d != nullptr && can_take_input(*d)) {
                focus = d;
                announce("Ctrl-] digit");
            } else {
                console_close_line();
                log("ward: console: domain %u takes no input; focus unchanged\n", k.byte);
            }
            break;
        }
        case console::Key_action::LIST:
            flush();
            list_consoles();
            break;
        case console::Key_action::UNKNOWN:
            flush();
            console_close_line();
            log("ward: console: Ctrl-] then n (next), 0-9 (domain id), ? (list), Ctrl-] "
                "(itself)\n");
            break;
        }
    }
    flush();
}

} // namespace hv::kernel
