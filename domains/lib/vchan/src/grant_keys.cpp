// SPDX-License-Identifier: MIT
#include "ward/vchan/grant_keys.hpp"

#include <algorithm>

#include "ward/vchan/vchan.hpp"

namespace dom::vchan
{
namespace
{

hv::Result<uint64_t, Error> parse_decimal(std::string_view v)
{
    if (v.empty() || v.size() > 10)
        return hv::unexpected(Error::PROTOCOL);
    uint64_t n = 0;
    for (char const c : v) {
        if (c < '0' || c > '9')
            return hv::unexpected(Error::PROTOCOL);
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
}

} // namespace

std::string store_path(Endpoint const &ep)
{
    return "/local/domain/" + std::to_string(ep.server_domain) + "/data/vchan/" +
           std::to_string(ep.client_domain) + "/" + std::to_string(ep.port);
}

hv::Result<uint32_t, Error> parse_ring_ref(std::string_view value)
{
    uint64_t const n = HV_TRY(parse_decimal(value));
    if (n > UINT32_MAX || n < FIRST_FREE_GRANT_REF)
        return hv::unexpected(Error::PROTOCOL);
    return static_cast<uint32_t>(n);
}

hv::Result<uint32_t, Error> parse_event_channel(std::string_view value)
{
    uint64_t const n = HV_TRY(parse_decimal(value));
    if (n == 0 || n > MAX_EVTCHN_PORT)
        return hv::unexpected(Error::PROTOCOL);
    return static_cast<uint32_t>(n);
}

hv::Result<Orders, Error> check_orders(unsigned lo, unsigned ro)
{
    if (lo < MIN_ORDER || lo > MAX_ORDER || ro < MIN_ORDER || ro > MAX_ORDER ||
        (lo < PAGE_ORDER && lo == ro) || !grants_fit({lo, ro}))
        return hv::unexpected(Error::PROTOCOL);
    return Orders{lo, ro};
}

hv::Result<std::vector<uint32_t>, Error> check_grants(uint32_t const *grants, Orders o,
                                                      uint32_t control_ref)
{
    std::size_t const n = ring_pages(o.left) + ring_pages(o.right);
    std::vector<uint32_t> refs(n);
    for (std::size_t i = 0; i < n; ++i) {
        refs[i] = __atomic_load_n(&grants[i], __ATOMIC_RELAXED);
        if (refs[i] < FIRST_FREE_GRANT_REF || refs[i] == control_ref)
            return hv::unexpected(Error::PROTOCOL);
    }
    std::vector<uint32_t> sorted = refs;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
        return hv::unexpected(Error::PROTOCOL);
    return refs;
}

} // namespace dom::vchan
