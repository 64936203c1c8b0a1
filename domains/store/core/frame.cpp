// SPDX-License-Identifier: MIT
#include "frame.hpp"

#include <algorithm>
#include <cstring>

namespace dom::store
{

hv::Result<std::optional<Frame>, Err> next_frame(std::string_view buf)
{
    if (buf.size() < sizeof(Header))
        return std::optional<Frame>{};
    Header h;
    std::memcpy(&h, buf.data(), sizeof h);
    if (h.len > PAYLOAD_MAX)
        return hv::unexpected(Err::INVAL);
    if (buf.size() - sizeof h < h.len)
        return std::optional<Frame>{};
    return std::optional<Frame>{Frame{h, buf.substr(sizeof h, h.len), sizeof h + h.len}};
}

std::optional<size_t> count_args(std::string_view payload)
{
    if (payload.empty() || payload.back() != '\0')
        return std::nullopt;
    return static_cast<size_t>(std::count(payload.begin(), payload.end(), '\0'));
}

bool split_args(std::string_view payload, std::span<std::string_view> out)
{
    if (count_args(payload) != out.size())
        return false;
    for (auto &arg : out) {
        auto const nul = payload.find('\0');
        arg = payload.substr(0, nul);
        payload.remove_prefix(nul + 1);
    }
    return true;
}

std::optional<std::string_view> one_arg(std::string_view payload)
{
    std::string_view a[1];
    if (!split_args(payload, a))
        return std::nullopt;
    return a[0];
}

std::optional<std::pair<std::string_view, std::string_view>>
path_and_value(std::string_view payload)
{
    auto const nul = payload.find('\0');
    if (nul == std::string_view::npos)
        return std::nullopt;
    return std::pair{payload.substr(0, nul), payload.substr(nul + 1)};
}

} // namespace dom::store
