// SPDX-License-Identifier: MIT
// The command line of a domain boot module, e.g.
//   name=personal label=personal_t mem=32M caps=console,create vcpus=1 type=pvh -- console=hvc0
// parsed into a Domain_config (fixed-size buffers, no heap). The grammar, defaults and errors are
// specified in docs/boot.md; every byte comes from the boot loader and is validated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/capability.hpp"
#include "hv/result.hpp"

namespace hv
{

// A NUL-terminated string in a fixed buffer of N characters plus the NUL.
template <size_t N> struct Fixed_string
{
    std::array<char, N + 1> chars{};
    size_t length = 0;

    char const *c_str() const { return chars.data(); }
    std::span<char const> view() const { return {chars.data(), length}; }
    bool operator==(Fixed_string const &o) const
    {
        if (length != o.length)
            return false;
        for (size_t i = 0; i < length; ++i)
            if (chars[i] != o.chars[i])
                return false;
        return true;
    }
};

inline constexpr size_t DOMAIN_NAME_MAX = 31;
inline constexpr size_t DOMAIN_LABEL_MAX = 63;
inline constexpr size_t GUEST_CMDLINE_MAX = 2047; // fits Linux's COMMAND_LINE_SIZE with NUL
inline constexpr uint64_t DOMAIN_MEM_MIN = uint64_t{1} << 20;
inline constexpr uint64_t DOMAIN_MEM_MAX = uint64_t{1} << 40;
// One vCPU per domain for now; raising this is all the parser needs for SMP guests.
inline constexpr uint32_t MAX_DOMAIN_VCPUS = 1;

using Domain_name = Fixed_string<DOMAIN_NAME_MAX>;
using Domain_label = Fixed_string<DOMAIN_LABEL_MAX>;

enum class Domain_type : uint8_t
{
    PVH,
};

enum class Module_role : uint8_t
{
    DOMAIN,   // a domain image (ELF)
    INITRD,   // the initial ramdisk of the domain named in `owner`
    EVENTLOG, // the TCG event log of the domain named in `owner` (docs/builder.md)
};

struct Domain_config
{
    Domain_name name;
    Domain_label label; // defaults to the name
    uint64_t mem_bytes = 0;
    Cap_set caps;
    uint32_t vcpus = 1;
    Domain_type type = Domain_type::PVH;
    // service=yes: a service domain (the store domain, later the vTPM and GUI domains). The
    // user's keyboard never reaches its console (its output still does), and it does not keep
    // the machine running on its own: once only service domains are left, Ward ends them.
    bool service = false;
    // Everything after " -- ", verbatim: the guest's own command line (hvm_start_info
    // cmdline). Points into the parsed input, which the caller keeps or copies.
    std::span<char const> guest_cmdline;
};

struct Module_config
{
    Module_role role = Module_role::DOMAIN;
    Domain_config domain; // role DOMAIN
    Domain_name owner;    // roles INITRD and EVENTLOG
};

enum class Cmdline_error : uint8_t
{
    EMPTY,
    BAD_CHARACTER,
    EXPECTED_KEY_VALUE,
    UNKNOWN_KEY,
    DUPLICATE_KEY,
    EMPTY_VALUE,
    BAD_NAME,
    NAME_TOO_LONG,
    BAD_LABEL,
    LABEL_TOO_LONG,
    BAD_SIZE,
    SIZE_NOT_PAGE_MULTIPLE,
    SIZE_TOO_SMALL,
    SIZE_TOO_LARGE,
    UNKNOWN_CAPABILITY,
    DUPLICATE_CAPABILITY,
    BAD_VCPUS,
    UNKNOWN_TYPE,
    BAD_SERVICE,
    MISSING_NAME,
    MISSING_MEM,
    INITRD_WITH_DOMAIN_KEYS,
    GUEST_CMDLINE_TOO_LONG,
    BAD_NUMBER,
    UNKNOWN_OPTION,
};

char const *error_name(Cmdline_error e);

struct Cmdline_failure
{
    Cmdline_error reason;
    uint32_t column; // 0-based offset of the offending token in the input
};

Result<Module_config, Cmdline_failure> parse_module_cmdline(std::span<char const> cmdline);

// A size: decimal digits with an optional K, M or G suffix (either case, powers of 1024).
Result<uint64_t, Cmdline_error> parse_size(std::span<char const> text);

} // namespace hv
