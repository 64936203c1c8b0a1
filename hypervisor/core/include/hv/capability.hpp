// SPDX-License-Identifier: MIT
// Domain capabilities: the explicit privileges a domain is given at boot (there is no
// all-powerful domain 0). Each is one bit with a short name used on the module command line
// (`caps=console,create`) and in the boot log. The hypercall handlers check these bits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace hv
{

enum class Cap : uint32_t
{
    CONSOLE_READ_OTHERS = 1u << 0, // "console": read other domains' console rings
    DOMAIN_CREATE = 1u << 1,       // "create": build new domains
    DOMAIN_CONTROL = 1u << 2,      // "control": destroy, pause and unpause other domains
    DOMAIN_INFO = 1u << 3,         // "info": list domains and read their state
    POLICY_ADMIN = 1u << 4,        // "policy": load and reload the ACM policy
    STORE = 1u << 5,               // "store": serve xenstore (introduce domains, map store rings)
};

struct Cap_info
{
    Cap cap;
    char const *name;
};

inline constexpr std::array<Cap_info, 6> CAPABILITIES{{
    {Cap::CONSOLE_READ_OTHERS, "console"},
    {Cap::DOMAIN_CREATE, "create"},
    {Cap::DOMAIN_CONTROL, "control"},
    {Cap::DOMAIN_INFO, "info"},
    {Cap::POLICY_ADMIN, "policy"},
    {Cap::STORE, "store"},
}};

class Cap_set
{
  public:
    constexpr Cap_set() = default;
    constexpr explicit Cap_set(uint32_t bits) : bits_{bits} {}

    constexpr bool has(Cap c) const { return (bits_ & static_cast<uint32_t>(c)) != 0; }
    constexpr void add(Cap c) { bits_ |= static_cast<uint32_t>(c); }
    constexpr void remove(Cap c) { bits_ &= ~static_cast<uint32_t>(c); }
    constexpr bool empty() const { return bits_ == 0; }
    constexpr uint32_t bits() const { return bits_; }
    constexpr bool operator==(Cap_set const &) const = default;

  private:
    uint32_t bits_ = 0;
};

constexpr char const *cap_name(Cap c)
{
    for (Cap_info const &i : CAPABILITIES)
        if (i.cap == c)
            return i.name;
    return "?";
}

constexpr std::optional<Cap> cap_from_name(std::span<char const> name)
{
    for (Cap_info const &i : CAPABILITIES) {
        size_t n = 0;
        while (i.name[n] != '\0' && n < name.size() && i.name[n] == name[n])
            ++n;
        if (i.name[n] == '\0' && n == name.size())
            return i.cap;
    }
    return std::nullopt;
}

} // namespace hv
