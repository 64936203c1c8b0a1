// SPDX-License-Identifier: MIT
// libFuzzer target for the crypto-agile event log decoder (docs/builder.md §3). A log that
// decodes must re-encode to a log that decodes to the same events and replays the same.
#include <cstddef>
#include <cstdint>

#include "builder/event_log.hpp"

namespace
{

void require(bool ok)
{
    if (!ok)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const *data, std::size_t size)
{
    using namespace dom::builder;
    auto const events = decode_event_log(std::span<std::uint8_t const>(data, size));
    if (!events) {
        require(!events.error().message.empty());
        return 0;
    }
    for (auto const &e : *events)
        require(e.pcr <= 23);
    auto const log = encode_event_log(*events);
    auto const again = decode_event_log(log);
    require(static_cast<bool>(again) && again->size() == events->size());
    for (std::size_t i = 0; i < events->size(); ++i)
        require((*again)[i].pcr == (*events)[i].pcr && (*again)[i].type == (*events)[i].type &&
                (*again)[i].digest == (*events)[i].digest && (*again)[i].data == (*events)[i].data);
    require(replay(*again) == replay(*events));
    return 0;
}
