// SPDX-License-Identifier: MIT
// libFuzzer target for wardstore's message parser and request core: the input is a byte
// stream as a client would send it. It is framed with next_frame() and every complete message
// is handled by one Core, alternately as dom0 and as unprivileged dom5 (which has an
// introduced domain and a few nodes to reach). Journal records are also fed to the decoder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/core.hpp"
#include "core/frame.hpp"
#include "persist/codec.hpp"

namespace
{

using namespace dom::store;

class Null_sink final : public Sink
{
  public:
    void send(Header const &h, std::string_view payload) override
    {
        // Every reply must respect the payload limit and carry the header's own length.
        if (h.len != payload.size() || payload.size() > PAYLOAD_MAX)
            __builtin_trap();
        bytes += payload.size();
    }
    size_t bytes = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    std::string_view in{reinterpret_cast<char const *>(data), size};
    Core core;
    Null_sink sink0, sink5;
    Conn &d0 = core.open(Caller{0, true, {}}, sink0);
    Conn &d5 = core.open(Caller{5, false, {}}, sink5);
    std::string_view const seed{"/local/domain/5/a\0v", 19};
    core.handle(d0, Header{11, 1, 0, static_cast<uint32_t>(seed.size())}, seed);
    bool unpriv = false;
    while (!in.empty()) {
        auto const f = next_frame(in);
        if (!f || !*f)
            break; // protocol violation or incomplete: the connection would be closed
        core.handle(unpriv ? d5 : d0, (*f)->header, (*f)->payload);
        unpriv = !unpriv;
        in.remove_prefix((*f)->size);
    }
    core.take_journal();
    (void)decode_ops(std::string_view{reinterpret_cast<char const *>(data), size});
    core.close(d5);
    core.close(d0);
    return 0;
}
