// SPDX-License-Identifier: MIT
// Launch measurement events and digest.
#include "builder/measurement.hpp"

namespace dom::builder
{

// GRUB's shape for strings in PCR 8: data "<tag>: <value>" plus a NUL, digest over <value>
// alone, so tpm2_eventlog and other verifiers can recompute it.
static Event text_event(std::string const &tag, std::string const &value)
{
    std::string data = tag + ": " + value;
    data.push_back('\0');
    return Event{PCR_STRINGS, EV_IPL, vtpm::sha256(vtpm::to_bytes(value)), std::move(data)};
}

Launch_measurement measure(Launch_inputs const &in)
{
    Launch_measurement m;
    m.events.push_back(text_event("ward_label", in.config.label));
    m.events.push_back(text_event("ward_settings", in.config.canonical_settings()));
    m.events.push_back(text_event("ward_cmdline", in.config.cmdline));
    m.events.push_back(Event{PCR_FILES, EV_IPL, in.kernel, "ward_kernel"});
    if (in.initramfs)
        m.events.push_back(Event{PCR_FILES, EV_IPL, *in.initramfs, "ward_initramfs"});

    vtpm::Bytes all = vtpm::to_bytes("ward-launch-measurement v1");
    for (auto const &e : m.events) {
        for (auto const v : {static_cast<std::uint32_t>(e.pcr), e.type})
            for (int i = 0; i < 4; ++i)
                all.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        all.insert(all.end(), e.digest.begin(), e.digest.end());
    }
    m.measurement = vtpm::sha256(all);
    m.pcrs = replay(m.events);
    return m;
}

std::string Launch_measurement::to_text() const
{
    std::string s = "measurement " + vtpm::to_hex(measurement) + "\n";
    for (auto const &[pcr, v] : pcrs)
        s += "pcr " + std::to_string(pcr) + " sha256 " + vtpm::to_hex(v) + "\n";
    for (auto const &e : events)
        s += "event pcr=" + std::to_string(e.pcr) + " digest=" + vtpm::to_hex(e.digest) + " " +
             std::string(e.data.c_str()) + "\n";
    return s;
}

} // namespace dom::builder
