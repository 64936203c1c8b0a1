// SPDX-License-Identifier: MIT
// Crypto-agile event log encoding, decoding and replay.
#include "builder/event_log.hpp"

#include <cstring>

namespace dom::builder
{

namespace
{

constexpr std::uint16_t TPM_ALG_SHA256 = 0x000b;
constexpr char SPEC_ID[16] = "Spec ID Event03";

void put32(vtpm::Bytes &b, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put16(vtpm::Bytes &b, std::uint16_t v)
{
    b.push_back(static_cast<std::uint8_t>(v));
    b.push_back(static_cast<std::uint8_t>(v >> 8));
}

struct Reader
{
    std::span<std::uint8_t const> s;
    std::size_t pos{0};
    bool ok{true};

    std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
    std::uint64_t get(std::size_t n)
    {
        if (!ok || s.size() - pos < n) {
            ok = false;
            return 0;
        }
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v |= std::uint64_t{s[pos + i]} << (8 * i);
        pos += n;
        return v;
    }
    std::span<std::uint8_t const> bytes(std::size_t n)
    {
        if (!ok || s.size() - pos < n) {
            ok = false;
            return {};
        }
        auto const r = s.subspan(pos, n);
        pos += n;
        return r;
    }
};

} // namespace

vtpm::Bytes encode_event_log(std::vector<Event> const &events)
{
    vtpm::Bytes spec(SPEC_ID, SPEC_ID + 16);
    put32(spec, 0);    // platformClass: client
    spec.push_back(0); // specVersionMinor
    spec.push_back(2); // specVersionMajor
    spec.push_back(0); // specErrata
    spec.push_back(2); // uintnSize: UINT64
    put32(spec, 1);    // numberOfAlgorithms
    put16(spec, TPM_ALG_SHA256);
    put16(spec, 32);
    spec.push_back(0); // vendorInfoSize

    vtpm::Bytes log;
    put32(log, 0);
    put32(log, EV_NO_ACTION);
    log.insert(log.end(), 20, 0);
    put32(log, static_cast<std::uint32_t>(spec.size()));
    log.insert(log.end(), spec.begin(), spec.end());
    for (auto const &e : events) {
        put32(log, e.pcr);
        put32(log, e.type);
        put32(log, 1); // digest count
        put16(log, TPM_ALG_SHA256);
        log.insert(log.end(), e.digest.begin(), e.digest.end());
        put32(log, static_cast<std::uint32_t>(e.data.size()));
        log.insert(log.end(), e.data.begin(), e.data.end());
    }
    return log;
}

vtpm::Result<std::vector<Event>> decode_event_log(std::span<std::uint8_t const> log)
{
    auto const bad = [](char const *why) {
        return vtpm::fail(vtpm::Errc::BAD_INPUT, std::string("event log: ") + why);
    };
    Reader r{log};
    if (r.u32() != 0 || r.u32() != EV_NO_ACTION)
        return bad("first event is not the Spec ID header");
    r.bytes(20);
    auto const spec = r.bytes(r.u32());
    if (!r.ok || spec.size() < 29 || std::memcmp(spec.data(), SPEC_ID, 16) != 0)
        return bad("no 'Spec ID Event03' header");
    Reader sr{spec, 16};
    sr.get(4 + 4); // platformClass, versions, errata, uintnSize
    if (sr.u32() != 1 || sr.u16() != TPM_ALG_SHA256 || sr.u16() != 32)
        return bad("only a single SHA-256 bank is supported");
    std::vector<Event> out;
    while (r.ok && r.pos < log.size()) {
        Event e;
        e.pcr = r.u32();
        e.type = r.u32();
        if (r.u32() != 1 || r.u16() != TPM_ALG_SHA256)
            return bad("event with another digest layout");
        auto const d = r.bytes(32);
        auto const data = r.bytes(r.u32());
        if (!r.ok)
            return bad("truncated event");
        if (e.pcr > 23)
            return bad("PCR index out of range");
        std::copy(d.begin(), d.end(), e.digest.begin());
        e.data.assign(data.begin(), data.end());
        out.push_back(std::move(e));
    }
    if (!r.ok)
        return bad("truncated");
    return out;
}

vtpm::Pcr_values replay(std::vector<Event> const &events)
{
    vtpm::Pcr_values pcrs;
    for (auto const &e : events) {
        if (e.type == EV_NO_ACTION)
            continue;
        auto &v = pcrs[e.pcr]; // zero-initialised on first use
        vtpm::Bytes both(v.begin(), v.end());
        both.insert(both.end(), e.digest.begin(), e.digest.end());
        v = vtpm::sha256(both);
    }
    return pcrs;
}

} // namespace dom::builder
