// SPDX-License-Identifier: MIT
// Fuzzes the GUI protocol stream parser in both directions. The first byte picks the direction
// and a chunk size, so that reassembly across feeds is exercised too. Any crash, sanitizer report
// or broken invariant (a decoded message that does not re-encode to the bytes it came from) is
// a finding.
#include "ward/gui/parser.hpp"

#include <cstdlib>
#include <cstring>

using namespace gvm::proto;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    if (size < 1)
        return 0;
    Direction const from = (data[0] & 1) ? Direction::FROM_DAEMON : Direction::FROM_AGENT;
    std::size_t const chunk = 1 + (data[0] >> 1);
    std::span<uint8_t const> rest{data + 1, size - 1};
    Stream_parser p{from};
    std::size_t consumed = 0;
    for (std::size_t off = 0; off < rest.size(); off += chunk) {
        p.feed(rest.subspan(off, std::min(chunk, rest.size() - off)));
        for (;;) {
            auto r = p.next();
            if (!r)
                return 0;
            if (!*r)
                break;
            Header h;
            std::memcpy(&h, rest.data() + consumed, sizeof h);
            if (h.type != static_cast<uint32_t>((*r)->type) || h.window != (*r)->window)
                std::abort();
            consumed += sizeof h + h.untrusted_len;
        }
    }
    if (consumed + p.buffered() != rest.size())
        std::abort();
    return 0;
}
