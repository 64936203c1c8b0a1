// SPDX-License-Identifier: MIT
// Ring arithmetic, wrap-around and untrusted indexes.
#include "ward/vchan/ring.hpp"

#include <array>
#include <gtest/gtest.h>
#include <numeric>
#include <vector>

using namespace dom::vchan;

namespace
{

struct Pair
{
    Ring_shared shared{};
    std::array<uint8_t, 1024> data{};
    Ring writer;
    Ring reader;
    explicit Pair(uint32_t start = 0)
    {
        shared.cons = shared.prod = start;
        writer = Ring{&shared, data.data(), 1024, false};
        reader = Ring{&shared, data.data(), 1024, true};
    }
};

} // namespace

TEST(VchanRing, WrapsAroundAndKeepsOrder)
{
    Pair p{0xfffffe00u}; // indexes wrap through 2^32 too
    std::vector<uint8_t> in(700), out(700);
    for (int round = 0; round < 10; ++round) {
        std::iota(in.begin(), in.end(), static_cast<uint8_t>(round));
        ASSERT_EQ(*p.writer.write(in.data(), in.size()), 700u);
        EXPECT_EQ(*p.reader.readable(), 700u);
        EXPECT_EQ(*p.writer.writable(), 324u);
        ASSERT_EQ(*p.reader.read(out.data(), out.size()), 700u);
        EXPECT_EQ(in, out);
    }
}

TEST(VchanRing, WriteStopsWhenFull)
{
    Pair p;
    std::vector<uint8_t> big(2000, 7);
    EXPECT_EQ(*p.writer.write(big.data(), big.size()), 1024u);
    EXPECT_EQ(*p.writer.write(big.data(), 1), 0u);
    EXPECT_EQ(*p.reader.read(big.data(), 24), 24u);
    EXPECT_EQ(*p.writer.writable(), 24u);
}

TEST(VchanRing, ForgedProducerIndexIsAProtocolError)
{
    Pair p;
    p.shared.prod = 5000; // the peer claims more data than the ring holds
    auto r = p.reader.readable();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Error::PROTOCOL);
    uint8_t b[8];
    EXPECT_FALSE(p.reader.read(b, sizeof b));
}

TEST(VchanRing, ForgedConsumerIndexIsAProtocolError)
{
    Pair p;
    p.shared.cons = 77; // the reader claims to have consumed data never written
    EXPECT_FALSE(p.writer.writable());
}

TEST(VchanRing, OwnIndexIsNotReadBack)
{
    Pair p;
    uint8_t b[16]{};
    ASSERT_EQ(*p.writer.write(b, 16), 16u);
    p.shared.prod = 3; // the peer scribbles over the writer's index
    ASSERT_EQ(*p.writer.write(b, 16), 16u);
    EXPECT_EQ(p.shared.prod, 32u);
}
