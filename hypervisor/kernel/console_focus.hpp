// SPDX-License-Identifier: MIT
// Console input and focus (docs/console.md): bytes typed on the serial console go to exactly
// one domain, the one with focus, through the `in` ring of its PV console page and its console
// event channel port. Ctrl-] then n / a digit / ? moves or shows the focus; Ward announces every
// change on the log. Only domains with a PV console page (Linux domains) can have focus; the
// first one set up has it by default.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/domain.hpp"

namespace hv::kernel
{

// console_ring_setup made the page and `port`: the domain can now take input.
void console_input_attach(Domain &d, uint32_t port);
// Bytes from the serial console: escape commands act on the focus, the rest go to the domain
// with focus (or are dropped when no domain can take input).
void console_input(char const *bytes, size_t len);
// The domain with the keyboard (checked: alive and still owning its console page), or nullptr.
Domain *console_focus();

// Serial output of guest consoles (console_out.cpp). The domain with focus streams its output
// as it comes (an open line, for prompts and echo); the others go line by line. Ward's own
// messages close an open line first.
void console_close_line();
// Shows the partial line `d` has buffered (a prompt) as its open line: it just got focus.
void console_show_open_line(Domain &d);

} // namespace hv::kernel
