// SPDX-License-Identifier: MIT
// TPM packet framing for transports.
#include "vtpm/transport.hpp"

namespace dom::vtpm
{

Result<std::size_t> tpm_packet_length(std::span<std::uint8_t const> buf, std::size_t max)
{
    if (buf.size() < 10)
        return fail(Errc::BAD_INPUT, "TPM packet shorter than its 10-byte header");
    unsigned const tag = unsigned{buf[0]} << 8 | buf[1];
    if (tag != 0x8001 && tag != 0x8002)
        return fail(Errc::BAD_INPUT, "TPM packet tag is not TPM_ST_NO_SESSIONS or TPM_ST_SESSIONS");
    std::size_t const size =
        std::size_t{buf[2]} << 24 | std::size_t{buf[3]} << 16 | std::size_t{buf[4]} << 8 | buf[5];
    if (size < 10 || size > max)
        return fail(Errc::BAD_INPUT, "TPM packet size " + std::to_string(size) + " out of range");
    if (size > buf.size())
        return fail(Errc::BAD_INPUT, "TPM packet truncated");
    return size;
}

} // namespace dom::vtpm
