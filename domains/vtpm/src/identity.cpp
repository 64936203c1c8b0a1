// SPDX-License-Identifier: MIT
// Domain identity validation and the instance binding check.
#include "vtpm/identity.hpp"

namespace dom::vtpm
{

static bool name_ok(std::string const &s)
{
    if (s.empty() || s.size() > 64 || s[0] == '.')
        return false;
    for (auto const c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    return true;
}

Result<Domain_identity> validate_identity(Domain_identity id)
{
    if (!name_ok(id.domain))
        return fail(Errc::BAD_INPUT, "domain name '" + id.domain +
                                         "' is invalid (1-64 of [A-Za-z0-9_.-], no leading '.')");
    if (!name_ok(id.label))
        return fail(Errc::BAD_INPUT,
                    "label '" + id.label + "' is invalid (1-64 of [A-Za-z0-9_.-], no leading '.')");
    auto const m = from_hex(id.measurement);
    if (!m || m->size() != 32)
        return fail(Errc::BAD_INPUT, "launch measurement must be 64 hex digits (SHA-256)");
    id.measurement = to_hex(*m);
    return id;
}

bool valid_uuid(std::string const &s)
{
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool const dash = i == 8 || i == 13 || i == 18 || i == 23;
        char const c = s[i];
        if (dash != (c == '-'))
            return false;
        if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

std::string format_uuid(std::span<std::uint8_t const, 16> raw)
{
    std::uint8_t b[16];
    std::copy(raw.begin(), raw.end(), b);
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40); // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80); // variant 1
    auto const h = to_hex(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20);
}

Result<void> check_binding(std::string const &uuid, Domain_identity const &owner,
                           Domain_identity const &requester)
{
    if (owner == requester)
        return {};
    std::string why;
    if (owner.domain != requester.domain)
        why += " domain '" + requester.domain + "' is not '" + owner.domain + "';";
    if (owner.label != requester.label)
        why += " label '" + requester.label + "' is not '" + owner.label + "';";
    if (owner.measurement != requester.measurement)
        why += " launch measurement " + requester.measurement.substr(0, 16) + "... is not " +
               owner.measurement.substr(0, 16) + "...;";
    why.pop_back();
    return fail(Errc::WRONG_DOMAIN, "vTPM " + uuid + " is not released to this domain:" + why);
}

Bytes binding_aad(std::string const &uuid, Domain_identity const &owner)
{
    std::string s = "ward-vtpm instance key v1";
    for (auto const *p : {&uuid, &owner.domain, &owner.label, &owner.measurement}) {
        s.push_back('\0');
        s += *p;
    }
    return to_bytes(s);
}

} // namespace dom::vtpm
