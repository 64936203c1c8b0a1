// SPDX-License-Identifier: MIT
// Fuzzes the XML policy reader and compiler: any byte string gives either a policy, which must
// then load, dump and explain, or an Error with a message; never a crash or a leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ward/policy/policy.hpp"
#include "ward/policy/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    std::string const xml(reinterpret_cast<char const *>(data), size);
    auto const p = ward::policy::Policy::from_xml(xml, "fuzz.xml");
    if (!p) {
        if (p.error().message.empty())
            __builtin_trap();
        return 0;
    }
    std::string const dump = ward::policy::show(*p);
    auto const names = p->label_names();
    if (names.size() >= 2) {
        auto const text = ward::policy::explain(*p, names[0], names[names.size() - 1]);
        if (!text || text->rfind("share: ", 0) != 0)
            __builtin_trap();
    }
    auto const again = ward::policy::Policy::from_binary(
        std::vector<std::byte>(p->binary().begin(), p->binary().end()), "fuzz.bin");
    if (!again || ward::policy::show(*again) != dump)
        __builtin_trap();
    return 0;
}
