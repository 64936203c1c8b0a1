// SPDX-License-Identifier: MIT
// libFuzzer target for the tpmif v2 backend's page logic (vtpm/tpmif.hpp): the input is what a
// guest wrote. Byte 0 picks how many extra pages the backend mapped (0-3), the rest fills the
// shared page and the extra pages in order. A request taken must be one whole TPM command that
// fits; the response path must then write it back and leave the page FINISHED.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vtpm/tpmif.hpp"
#include "vtpm/transport.hpp"

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
    using namespace dom::vtpm;
    if (size == 0)
        return 0;
    std::size_t const extra = data[0] % 4;
    std::vector<std::array<std::uint8_t, TPMIF_PAGE>> store(1 + extra);
    std::size_t at = 1;
    for (auto &page : store) {
        page.fill(0);
        std::size_t const n = std::min(page.size(), size - at);
        std::memcpy(page.data(), data + at, n);
        at += n;
    }
    std::vector<std::span<std::uint8_t>> spans;
    for (auto &page : store)
        spans.emplace_back(page);

    // The raw framing check on its own.
    auto const raw = tpm_packet_length(std::span<std::uint8_t const>(data, size), size);
    if (raw)
        require(*raw >= 10 && *raw <= size);

    // The whole kick on a copy: whatever the guest wrote, the page ends FINISHED (served or
    // TPM_RC_FAILURE), IDLE after a cancel, or untouched on a spurious kick.
    {
        auto copy = store;
        std::vector<std::span<std::uint8_t>> cs;
        for (auto &page : copy)
            cs.emplace_back(page);
        std::uint8_t const before = copy[0][4];
        auto const served = tpmif_serve(cs, [](Tpmif_request const &req) -> Result<Bytes> {
            if (req.command.size() & 1)
                return fail(Errc::WORKER, "odd");
            return req.command; // an echo is one whole packet of the right size
        });
        require(static_cast<bool>(served));
        switch (served->outcome) {
        case Tpmif_outcome::NOTHING: require(copy[0][4] == before); break;
        case Tpmif_outcome::CANCELLED: require(copy[0][4] == 0); break;
        case Tpmif_outcome::SERVED:
        case Tpmif_outcome::FAILED: require(copy[0][4] == 2); break;
        }
    }

    auto const taken = tpmif_take_request(spans);
    if (!taken)
        return 0;
    if (!*taken) {
        // Nothing to serve: a CANCEL must have been answered with IDLE.
        require(store[0][4] != static_cast<std::uint8_t>(Tpmif_state::CANCEL));
        return 0;
    }
    auto const &cmd = (*taken)->command;
    require(cmd.size() >= 10 && cmd.size() <= tpmif_capacity(extra));
    auto const n = tpm_packet_length(cmd, tpmif_capacity(extra));
    require(n && *n == cmd.size());
    require(static_cast<bool>(tpmif_put_response(spans, cmd)));
    require(store[0][4] == static_cast<std::uint8_t>(Tpmif_state::FINISH));
    // The response reads back like a request would (same layout, same length).
    store[0][4] = static_cast<std::uint8_t>(Tpmif_state::SUBMIT);
    auto const again = tpmif_take_request(spans);
    require(again && *again && (*again)->command == cmd);
    return 0;
}
