// SPDX-License-Identifier: MIT
// ward-vtpm-backend: the tpmif v2 transport of a Linux vTPM domain (docs/vtpm.md §7).
//   ward-vtpm-backend serve --frontend NAME --uuid UUID --port P [--verbose]
//       serve the vtpm device of the domain called NAME (its name as the store wrote it) with
//       the running instance UUID whose worker listens on 127.0.0.1:P (from `ward-vtpm start`)
//   ward-vtpm-backend extend-log --port P LOG
//       the builder's measured launch inside the vTPM domain: extend every event of the TCG
//       event log LOG (written by `ward measure --event-log`) into the freshly reset instance on
//       port P, then print its PCRs 8 and 9 as `pcr N sha256 HEX`
//   ward-vtpm-backend bench --port P N
//       N TPM2_PCR_Read round trips straight to the worker socket (what each ring request costs
//       the backend), printed as commands per second
// Exit 0 on success, 1 on an error (said on stdout), 2 on a usage error.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "backend.hpp"
#include "builder/event_log.hpp"
#include "vtpm/tpmif_backend.hpp"

using namespace dom::vtpm;

namespace
{

int usage()
{
    std::fputs("usage: ward-vtpm-backend serve --frontend NAME --uuid UUID --port P [--verbose]\n"
               "       ward-vtpm-backend extend-log --port P LOG\n"
               "       ward-vtpm-backend bench --port P N\n",
               stderr);
    return 2;
}

void put(Bytes &b, std::uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; --i)
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void finish(Bytes &b)
{
    auto const n = b.size();
    for (int i = 0; i < 4; ++i)
        b[2 + i] = static_cast<std::uint8_t>(n >> (8 * (3 - i)));
}

std::uint32_t rc_of(Bytes const &r)
{
    return r.size() < 10 ? 0xffffffffu
                         : static_cast<std::uint32_t>(r[6]) << 24 | r[7] << 16 | r[8] << 8 | r[9];
}

// TPM2_PCR_Extend(pcr, sha256 digest) with an empty password session.
Bytes pcr_extend(unsigned pcr, Digest const &d)
{
    Bytes b;
    put(b, 0x8002, 2);
    put(b, 0, 4);
    put(b, 0x182, 4);
    put(b, pcr, 4);
    put(b, 9, 4);          // authorization area size
    put(b, 0x40000009, 4); // TPM_RS_PW
    put(b, 0, 2);          // nonce
    put(b, 0, 1);          // attributes
    put(b, 0, 2);          // hmac
    put(b, 1, 4);          // TPML_DIGEST_VALUES.count
    put(b, 0x000b, 2);     // TPM_ALG_SHA256
    b.insert(b.end(), d.begin(), d.end());
    finish(b);
    return b;
}

// TPM2_PCR_Read of one SHA-256 PCR; the digest, or nullopt.
std::optional<Bytes> pcr_read(Endpoint const &ep, unsigned pcr)
{
    Bytes b;
    put(b, 0x8001, 2);
    put(b, 0, 4);
    put(b, 0x17e, 4);
    put(b, 1, 4);      // TPML_PCR_SELECTION.count
    put(b, 0x000b, 2); // sha256
    put(b, 3, 1);      // sizeofSelect
    put(b, (1u << (pcr % 8)) << (8 * (2 - pcr / 8)), 3);
    finish(b);
    auto const r = forward_command(ep, b);
    // header 10, updateCounter 4, selection out 4+2+1+3, digest count 4, size 2, digest 32
    if (!r || rc_of(*r) != 0 || r->size() < 10 + 4 + 10 + 4 + 2 + 32)
        return std::nullopt;
    return Bytes(r->end() - 32, r->end());
}

int extend_log(Endpoint const &ep, std::string const &path)
{
    std::ifstream in(path, std::ios::binary);
    Bytes const log{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) {
        std::printf("ward-vtpm-backend: cannot read %s\n", path.c_str());
        return 1;
    }
    auto const events = dom::builder::decode_event_log(log);
    if (!events) {
        std::printf("ward-vtpm-backend: %s: %s\n", path.c_str(), events.error().message.c_str());
        return 1;
    }
    for (auto const &e : *events) {
        if (e.type == dom::builder::EV_NO_ACTION)
            continue;
        auto const r = forward_command(ep, pcr_extend(e.pcr, e.digest));
        if (!r || rc_of(*r) != 0) {
            std::printf("ward-vtpm-backend: PCR %u extend failed: %s\n", e.pcr,
                        r ? ("rc " + std::to_string(rc_of(*r))).c_str()
                          : r.error().message.c_str());
            return 1;
        }
    }
    for (unsigned const pcr : {8u, 9u}) {
        auto const v = pcr_read(ep, pcr);
        if (!v) {
            std::printf("ward-vtpm-backend: PCR %u read failed\n", pcr);
            return 1;
        }
        std::printf("pcr %u sha256 %s\n", pcr, to_hex(*v).c_str());
    }
    return 0;
}

int bench(Endpoint const &ep, std::string const &count)
{
    auto const n = parse_xs_unsigned(count, 1000000);
    if (!n || *n == 0)
        return usage();
    auto const t0 = std::chrono::steady_clock::now();
    for (std::uint32_t i = 0; i < *n; ++i)
        if (!pcr_read(ep, 16)) {
            std::printf("ward-vtpm-backend: bench: TPM2_PCR_Read %u failed\n", i);
            return 1;
        }
    double const s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("bench %u TPM2_PCR_Read through the worker socket in %.3f s: %.0f commands/s\n", *n,
                s, *n / s);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    std::string const cmd = argv[1];
    std::map<std::string, std::string> opts;
    std::vector<std::string> rest;
    bool verbose = false;
    for (int i = 2; i < argc; ++i) {
        std::string const a = argv[i];
        if (a == "--verbose")
            verbose = true;
        else if (a.rfind("--", 0) == 0 && i + 1 < argc)
            opts[a.substr(2)] = argv[++i];
        else
            rest.push_back(a);
    }
    auto const port = parse_xs_unsigned(opts["port"], 65534);
    if (!port || *port == 0)
        return usage();
    Endpoint ep{opts["uuid"], *port};
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    if (cmd == "bench" && rest.size() == 1)
        return bench(ep, rest[0]);
    if (cmd == "extend-log" && rest.size() == 1)
        return extend_log(ep, rest[0]);
    if (cmd == "serve" && rest.empty() && !opts["frontend"].empty())
        return backend::run_backend({opts["frontend"], ep, verbose});
    return usage();
}
