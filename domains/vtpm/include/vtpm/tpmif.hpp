// SPDX-License-Identifier: MIT
// The backend half of Xen's tpmif v2 shared page (xen-abi-and-protocols.md §5.2), as pure
// functions over the mapped pages, so that the grant-ring transport only has to map pages and
// move event-channel kicks. Layout (little-endian): u32 length @0, u8 state @4, u8 locality @5,
// u8 pad @6, u8 nr_extra_pages @7, u32 extra_pages[n] @8; packet data at 8 + 4n, continuing
// through the extra pages as if contiguous (Linux xen-tpmfront's layout). Everything in the page
// is guest-controlled: each field is read once, copied out, then validated.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "vtpm/bytes.hpp"
#include "vtpm/error.hpp"

namespace dom::vtpm
{

inline constexpr std::size_t TPMIF_PAGE = 4096;

enum class Tpmif_state : std::uint8_t
{
    IDLE = 0,   // backend: nothing / cancel complete
    SUBMIT = 1, // frontend: request ready
    FINISH = 2, // backend: response ready
    CANCEL = 3, // frontend: cancel requested
};

struct Tpmif_request
{
    std::uint8_t locality{0};
    Bytes command; // a whole TPM 2.0 command (checked with tpm_packet_length)
};

// The pages the backend mapped: the shared page, then the extra pages in the frontend's order.
using Tpmif_pages = std::span<std::span<std::uint8_t> const>;

// Bytes of packet data the pages can hold given the guest's nr_extra_pages.
std::size_t tpmif_capacity(std::size_t nr_extra_pages);

// Looks at the shared page after a kick. SUBMIT: copies the request out and validates it
// (BAD_INPUT: nr_extra_pages differs from the pages mapped, length beyond the pages or not one
// whole TPM command); CANCEL: answers IDLE and returns nullopt; any other state: nullopt.
Result<std::optional<Tpmif_request>> tpmif_take_request(Tpmif_pages pages);

// Writes `response` at the data offset, its length, then state FINISH (in that order).
// BAD_INPUT if it does not fit the pages.
Result<void> tpmif_put_response(Tpmif_pages pages, std::span<std::uint8_t const> response);

// What the backend does on one event-channel kick, independent of how the pages were mapped and
// how the kick arrived (grant ring in Ward, anything in tests). SUBMIT: the request is passed to
// `tpm` (the instance's worker) and its answer written back (FINISH). A request the page check
// refuses, or a TPM that fails or answers with something that is not one response fitting the
// pages, still gets FINISH with a 10-byte TPM_RC_FAILURE response, so the guest never waits
// forever; the cause is returned in `problem`. CANCEL: IDLE. Anything else: nothing.
enum class Tpmif_outcome
{
    NOTHING,   // state was IDLE or FINISH: a spurious kick
    CANCELLED, // CANCEL answered with IDLE
    SERVED,    // the TPM's response is on the page
    FAILED,    // TPM_RC_FAILURE is on the page; see problem
};

struct Tpmif_served
{
    Tpmif_outcome outcome{Tpmif_outcome::NOTHING};
    Error problem; // when FAILED
};

using Tpm_forwarder = std::function<Result<Bytes>(Tpmif_request const &)>;

// BAD_INPUT only when there is no 4096-byte shared page to answer on.
Result<Tpmif_served> tpmif_serve(Tpmif_pages pages, Tpm_forwarder const &tpm);

// The response the backend writes for a request it cannot serve: tag 0x8001, size 10,
// TPM_RC_FAILURE (0x101).
Bytes tpm_failure_response();

} // namespace dom::vtpm
