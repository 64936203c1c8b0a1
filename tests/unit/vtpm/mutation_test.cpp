// SPDX-License-Identifier: MIT
// Robustness of every parser that reads files or guest-supplied bytes: thousands of seeded random
// mutations of valid inputs must be parsed or refused, never crash (ASan/UBSan in Debug), and
// whatever parses must serialize back to something that parses the same.
#include <gtest/gtest.h>

#include <random>

#include "builder/domain_config.hpp"
#include "builder/event_log.hpp"
#include "vtpm/migration.hpp"
#include "vtpm/record.hpp"
#include "vtpm/sealed_key.hpp"
#include "vtpm/transport.hpp"

using namespace dom::vtpm;

namespace
{

std::string mutate(std::string s, std::mt19937 &rng)
{
    int const edits = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < edits; ++i) {
        auto const pos = s.empty() ? 0 : rng() % s.size();
        switch (rng() % 5) {
        case 0:
            if (!s.empty())
                s[pos] = static_cast<char>(rng());
            break;
        case 1: s = s.substr(0, pos); break;
        case 2: s.insert(pos, 1, static_cast<char>(rng())); break;
        case 3: s.insert(pos, std::string("\n=\0x", 4).substr(rng() % 4, 1)); break;
        case 4:
            if (!s.empty())
                s.erase(pos, 1 + rng() % 8);
            break;
        }
    }
    return s;
}

template <typename T, typename F> void hammer(std::string const &valid, F parse)
{
    std::mt19937 rng(12345);
    ASSERT_TRUE(parse(valid));
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        auto const r = parse(mutate(valid, rng));
        if (r) {
            ++accepted;
            auto const again = parse(r->serialize());
            ASSERT_TRUE(again);
            EXPECT_EQ(again->serialize(), r->serialize());
        }
    }
    EXPECT_LT(accepted, 3000);
}

TEST(Mutation, InstanceRecord)
{
    Instance_record r;
    r.uuid = "0123abcd-0000-4000-8000-00000000beef";
    r.owner = {"work", "work", std::string(64, 'a')};
    r.wrapped_key = Bytes(60, 7);
    r.origin = std::string(32, '9');
    hammer<Instance_record>(r.serialize(),
                            [](std::string const &s) { return Instance_record::parse(s); });
}

TEST(Mutation, MigrationBlobAndPayload)
{
    Migration_blob b;
    b.uuid = "0123abcd-0000-4000-8000-00000000beef";
    b.export_id = std::string(32, 'd');
    b.owner = {"work", "work", std::string(64, 'a')};
    b.ephemeral = {Bytes(32, 1), Bytes(32, 2)};
    b.payload = Bytes(40, 3);
    hammer<Migration_blob>(b.serialize(),
                           [](std::string const &s) { return Migration_blob::parse(s); });
    Migration_payload p;
    p.files["tpm2-00.permall"] = Bytes(20, 4);
    p.files["tpm2-00.volatilestate"] = Bytes(5, 4);
    hammer<Migration_payload>(p.serialize(),
                              [](std::string const &s) { return Migration_payload::parse(s); });
}

TEST(Mutation, SealedKeyAndPlatformKey)
{
    Sealed_key_file f;
    f.pcrs = *Pcr_selection::parse("0,7-9");
    for (auto p : f.pcrs.pcrs)
        f.values[p].fill(static_cast<std::uint8_t>(p));
    f.object = {Bytes(10, 1), Bytes(12, 2)};
    hammer<Sealed_key_file>(f.serialize(),
                            [](std::string const &s) { return Sealed_key_file::parse(s); });
    Platform_key k{{Bytes(32, 1), Bytes(32, 2)}};
    hammer<Platform_key>(k.serialize(),
                         [](std::string const &s) { return Platform_key::parse(s); });
}

TEST(Mutation, DomainConfigAndEventLogAndTpmPackets)
{
    std::mt19937 rng(777);
    std::string const cfg = "name = w\nlabel = l\nkernel = k\ninitramfs = i\ncmdline = a b\n"
                            "memory = 64\nvcpus = 2\nvtpm = no\n";
    ASSERT_TRUE(dom::builder::Domain_config::parse(cfg));
    std::vector<dom::builder::Event> events{{8, dom::builder::EV_IPL, Digest{}, "ward_label: x"},
                                            {9, dom::builder::EV_IPL, Digest{}, "ward_kernel"}};
    auto const log = dom::builder::encode_event_log(events);
    std::string const log_s(log.begin(), log.end());
    Bytes const cmd{0x80, 0x01, 0, 0, 0, 12, 0, 0, 1, 0x44, 0, 0};
    std::string const cmd_s(cmd.begin(), cmd.end());
    for (int i = 0; i < 5000; ++i) {
        (void)dom::builder::Domain_config::parse(mutate(cfg, rng));
        auto const l = mutate(log_s, rng);
        auto const decoded = dom::builder::decode_event_log(
            std::span(reinterpret_cast<std::uint8_t const *>(l.data()), l.size()));
        if (decoded)
            (void)dom::builder::replay(*decoded);
        auto const c = mutate(cmd_s, rng);
        auto const n = tpm_packet_length(
            std::span(reinterpret_cast<std::uint8_t const *>(c.data()), c.size()));
        if (n) {
            EXPECT_LE(*n, c.size());
        }
        (void)Pcr_selection::parse(mutate("0,2,4,7-9", rng));
    }
}

} // namespace
