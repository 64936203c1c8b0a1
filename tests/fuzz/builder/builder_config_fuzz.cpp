// SPDX-License-Identifier: MIT
// libFuzzer target for the domain configuration parser (docs/builder.md §1). A config that
// parses must hold only validated values, and its measurement (with fixed file digests) must
// be computable and stable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/domain_config.hpp"
#include "builder/measurement.hpp"

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
    using namespace dom::builder;
    std::string_view const text(reinterpret_cast<char const *>(data), size);
    auto const c = Domain_config::parse(text);
    if (!c) {
        require(!c.error().message.empty());
        return 0;
    }
    require(!c->name.empty() && c->name.size() <= 64 && c->name[0] != '.');
    require(!c->label.empty() && !c->kernel.empty());
    require(c->memory_mib >= 16 && c->memory_mib <= 1048576);
    require(c->vcpus >= 1 && c->vcpus <= 64);
    require(c->cmdline.size() <= 4096);
    for (auto const ch : c->cmdline)
        require(static_cast<unsigned char>(ch) >= 0x20);
    Launch_inputs in;
    in.config = *c;
    in.kernel.fill(1);
    if (!c->initramfs.empty())
        in.initramfs = dom::vtpm::Digest{};
    auto const a = measure(in);
    auto const b = measure(in);
    require(a.measurement == b.measurement && a.pcrs == b.pcrs);
    require(a.events.size() == (c->initramfs.empty() ? 4u : 5u));
    (void)a.to_text();
    return 0;
}
