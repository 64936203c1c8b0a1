// SPDX-License-Identifier: MIT
// tpmif v2 shared-page backend logic.
#include "vtpm/tpmif.hpp"

#include <atomic>

#include "vtpm/transport.hpp"

namespace dom::vtpm
{

namespace
{

constexpr std::size_t OFF_LENGTH = 0, OFF_STATE = 4, OFF_LOCALITY = 5, OFF_NR_EXTRA = 7,
                      OFF_GREFS = 8;

// One volatile read per field: the frontend may rewrite the page at any time.
std::uint8_t read8(std::span<std::uint8_t> page, std::size_t off)
{
    return *static_cast<std::uint8_t volatile *>(&page[off]);
}

std::uint32_t read32(std::span<std::uint8_t> page, std::size_t off)
{
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
        v |= std::uint32_t{read8(page, off + i)} << (8 * i);
    return v;
}

void write8(std::span<std::uint8_t> page, std::size_t off, std::uint8_t v)
{
    *static_cast<std::uint8_t volatile *>(&page[off]) = v;
}

// Visits data bytes [0, n) spread over the pages, first page from the data offset.
template <typename F> void for_data(Tpmif_pages pages, std::size_t data_off, std::size_t n, F f)
{
    std::size_t done = 0;
    for (std::size_t p = 0; p < pages.size() && done < n; ++p) {
        std::size_t const start = p == 0 ? data_off : 0;
        std::size_t const chunk = std::min(TPMIF_PAGE - start, n - done);
        f(pages[p].subspan(start, chunk), done);
        done += chunk;
    }
}

Result<std::size_t> check_pages(Tpmif_pages pages, std::size_t nr_extra)
{
    if (pages.empty())
        return fail(Errc::BAD_INPUT, "tpmif: no shared page mapped");
    for (auto const &p : pages)
        if (p.size() != TPMIF_PAGE)
            return fail(Errc::BAD_INPUT, "tpmif: mapped page is not 4096 bytes");
    if (nr_extra != pages.size() - 1)
        return fail(Errc::BAD_INPUT, "tpmif: nr_extra_pages " + std::to_string(nr_extra) + " but " +
                                         std::to_string(pages.size() - 1) + " extra pages mapped");
    return OFF_GREFS + 4 * nr_extra;
}

} // namespace

std::size_t tpmif_capacity(std::size_t nr_extra_pages)
{
    return TPMIF_PAGE * (1 + nr_extra_pages) - (OFF_GREFS + 4 * nr_extra_pages);
}

Result<std::optional<Tpmif_request>> tpmif_take_request(Tpmif_pages pages)
{
    if (pages.empty())
        return fail(Errc::BAD_INPUT, "tpmif: no shared page mapped");
    auto const shared = pages[0];
    auto const state = read8(shared, OFF_STATE);
    if (state == static_cast<std::uint8_t>(Tpmif_state::CANCEL)) {
        write8(shared, OFF_STATE, static_cast<std::uint8_t>(Tpmif_state::IDLE));
        return std::optional<Tpmif_request>{};
    }
    if (state != static_cast<std::uint8_t>(Tpmif_state::SUBMIT))
        return std::optional<Tpmif_request>{};
    std::atomic_thread_fence(std::memory_order_acquire); // state before contents
    std::size_t const nr_extra = read8(shared, OFF_NR_EXTRA);
    std::size_t const data_off = HV_TRY(check_pages(pages, nr_extra));
    std::size_t const length = read32(shared, OFF_LENGTH);
    if (length > tpmif_capacity(nr_extra))
        return fail(Errc::BAD_INPUT, "tpmif: request length " + std::to_string(length) +
                                         " exceeds the shared pages");
    Tpmif_request req;
    req.locality = read8(shared, OFF_LOCALITY);
    req.command.resize(length);
    for_data(pages, data_off, length, [&](std::span<std::uint8_t> chunk, std::size_t at) {
        for (std::size_t i = 0; i < chunk.size(); ++i)
            req.command[at + i] = *static_cast<std::uint8_t volatile *>(&chunk[i]);
    });
    // Validate the private copy only.
    auto const n = HV_TRY(tpm_packet_length(req.command, tpmif_capacity(nr_extra)));
    if (n != length)
        return fail(Errc::BAD_INPUT, "tpmif: length field " + std::to_string(length) +
                                         " differs from the command's own size " +
                                         std::to_string(n));
    return std::optional<Tpmif_request>{std::move(req)};
}

Result<void> tpmif_put_response(Tpmif_pages pages, std::span<std::uint8_t const> response)
{
    if (pages.empty())
        return fail(Errc::BAD_INPUT, "tpmif: no shared page mapped");
    std::size_t const nr_extra = read8(pages[0], OFF_NR_EXTRA);
    std::size_t const data_off = HV_TRY(check_pages(pages, nr_extra));
    if (response.size() > tpmif_capacity(nr_extra))
        return fail(Errc::BAD_INPUT, "tpmif: response does not fit the shared pages");
    for_data(pages, data_off, response.size(), [&](std::span<std::uint8_t> chunk, std::size_t at) {
        for (std::size_t i = 0; i < chunk.size(); ++i)
            *static_cast<std::uint8_t volatile *>(&chunk[i]) = response[at + i];
    });
    auto const len = static_cast<std::uint32_t>(response.size());
    for (std::size_t i = 0; i < 4; ++i)
        write8(pages[0], OFF_LENGTH + i, static_cast<std::uint8_t>(len >> (8 * i)));
    std::atomic_thread_fence(std::memory_order_release); // contents before state
    write8(pages[0], OFF_STATE, static_cast<std::uint8_t>(Tpmif_state::FINISH));
    return {};
}

Bytes tpm_failure_response()
{
    return Bytes{0x80, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x01};
}

Result<Tpmif_served> tpmif_serve(Tpmif_pages pages, Tpm_forwarder const &tpm)
{
    if (pages.empty() || pages[0].size() != TPMIF_PAGE)
        return fail(Errc::BAD_INPUT, "tpmif: no shared page mapped");
    // The failure response always fits the shared page at the offset the guest's own
    // nr_extra_pages gives (8 + 4 * 255 + 10 < 4096), even when that count is a lie.
    auto const fail_with = [&](Error why) -> Result<Tpmif_served> {
        auto const shared = pages[0];
        std::size_t const off = OFF_GREFS + 4 * std::size_t{read8(shared, OFF_NR_EXTRA)};
        auto const r = tpm_failure_response();
        for (std::size_t i = 0; i < r.size(); ++i)
            write8(shared, off + i, r[i]);
        for (std::size_t i = 0; i < 4; ++i)
            write8(shared, OFF_LENGTH + i, static_cast<std::uint8_t>(r.size() >> (8 * i)));
        std::atomic_thread_fence(std::memory_order_release);
        write8(shared, OFF_STATE, static_cast<std::uint8_t>(Tpmif_state::FINISH));
        return Tpmif_served{Tpmif_outcome::FAILED, std::move(why)};
    };
    bool const cancel =
        read8(pages[0], OFF_STATE) == static_cast<std::uint8_t>(Tpmif_state::CANCEL);
    auto taken = tpmif_take_request(pages);
    if (!taken)
        return fail_with(std::move(taken.error()));
    if (!*taken)
        return Tpmif_served{cancel ? Tpmif_outcome::CANCELLED : Tpmif_outcome::NOTHING, {}};
    auto response = tpm(**taken);
    if (!response)
        return fail_with(std::move(response.error()));
    std::size_t const nr_extra = pages.size() - 1; // checked by tpmif_take_request
    auto const n = tpm_packet_length(*response, tpmif_capacity(nr_extra));
    if (!n || *n != response->size())
        return fail_with(Error{Errc::TPM, "tpmif: the TPM's answer is not one whole response "
                                          "that fits the shared pages"});
    HV_TRY(tpmif_put_response(pages, *response));
    return Tpmif_served{Tpmif_outcome::SERVED, {}};
}

} // namespace dom::vtpm
