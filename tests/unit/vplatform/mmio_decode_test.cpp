// SPDX-License-Identifier: MIT
// The MMIO decoder against GNU as: mmio_cases.S holds real encodings; this file says what each
// one must decode to.
#include "hv/vplatform/mmio_decode.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

extern "C" uint64_t const mmio_table64[], mmio_table64_end[], mmio_table32[], mmio_table32_end[];

namespace
{

using hv::vplatform::Cpu_mode;
using hv::vplatform::Mmio_decode_error;
using hv::vplatform::Mmio_insn;

struct Expect
{
    char const *text;
    uint8_t size;
    bool write;
    bool has_imm;
    uint8_t reg;
    bool high8;
    uint8_t extend;
    uint8_t dest_size;
    uint64_t imm;
};

// In the order of mmio_cases.S.
Expect const expect64[] = {
    {"mov (%rax),%eax", 4, false, false, 0, false, 0, 4, 0},
    {"mov %edx,0x300(%rax)", 4, true, false, 2, false, 0, 4, 0},
    {"movl 0x7ee000b0,%ecx", 4, false, false, 1, false, 0, 4, 0},
    {"movq %r9,8(%rsp)", 8, true, false, 9, false, 0, 8, 0},
    {"movb %ah,(%rdi)", 1, true, false, 0, true, 0, 1, 0},
    {"movb %sil,(%rdi)", 1, true, false, 6, false, 0, 1, 0},
    {"movw $0x1234,2(%rbx)", 2, true, true, 0, false, 0, 2, 0x1234},
    {"movq $-1,(%rax)", 8, true, true, 0, false, 0, 8, ~uint64_t{0}},
    {"movl $0xdeadbeef,0x10(%r12)", 4, true, true, 0, false, 0, 4, 0xdeadbeef},
    {"movzbl (%rax),%r10d", 1, false, false, 10, false, 1, 4, 0},
    {"movswq 0x20(%rbp),%rbx", 2, false, false, 3, false, 2, 8, 0},
    {"movabs 0xfee00020,%eax", 4, false, false, 0, false, 0, 4, 0},
    {"mov 0x1000(%rip),%eax", 4, false, false, 0, false, 0, 4, 0},
    {"movl %eax,%fs:(%rbx)", 4, true, false, 0, false, 0, 4, 0},
    {"mov %r15d,0x12345678(%rax,%rbx,8)", 4, true, false, 15, false, 0, 4, 0},
    {"movb (%rdx),%bh", 1, false, false, 3, true, 0, 1, 0},
    {"movb $0x80,(%rcx)", 1, true, true, 0, false, 0, 1, 0x80},
    {"movsbl (%rsi),%edx", 1, false, false, 2, false, 2, 4, 0},
};

Expect const expect32[] = {
    {"mov 0xfee00030,%eax", 4, false, false, 0, false, 0, 4, 0},
    {"mov %ebx,0x20(%esi)", 4, true, false, 3, false, 0, 4, 0},
    {"movw %ax,(%ecx)", 2, true, false, 0, false, 0, 2, 0},
    {"movl $7,0xfee000b0", 4, true, true, 0, false, 0, 4, 7},
};

void check_table(uint64_t const *begin, uint64_t const *end, Expect const *expect, size_t n,
                 Cpu_mode mode)
{
    ASSERT_EQ(static_cast<size_t>(end - begin), 2 * n) << "mmio_cases.S and this file disagree";
    for (size_t i = 0; i < n; ++i) {
        auto const *start = reinterpret_cast<uint8_t const *>(begin[2 * i]);
        auto const len = static_cast<size_t>(begin[2 * i + 1] - begin[2 * i]);
        // Trailing bytes must not change the result: feed the instruction plus padding.
        std::vector<uint8_t> bytes(start, start + len);
        bytes.insert(bytes.end(), 8, 0x90);
        Expect const &e = expect[i];
        auto const r = hv::vplatform::decode_mmio(bytes, mode);
        ASSERT_TRUE(r) << e.text << ": " << hv::vplatform::mmio_decode_error_name(r.error());
        EXPECT_EQ(r->length, len) << e.text;
        EXPECT_EQ(r->size, e.size) << e.text;
        EXPECT_EQ(r->write, e.write) << e.text;
        EXPECT_EQ(r->has_imm, e.has_imm) << e.text;
        if (!e.has_imm) {
            EXPECT_EQ(r->reg, e.reg) << e.text;
            EXPECT_EQ(r->high8, e.high8) << e.text;
        }
        EXPECT_EQ(r->extend, e.extend) << e.text;
        EXPECT_EQ(r->dest_size, e.dest_size) << e.text;
        EXPECT_EQ(r->imm, e.imm) << e.text;
        // The exact bytes, with nothing after them, decode too; one byte fewer is truncated.
        std::vector<uint8_t> const exact(start, start + len);
        EXPECT_TRUE(hv::vplatform::decode_mmio(exact, mode)) << e.text;
        std::vector<uint8_t> const cut(start, start + len - 1);
        auto const short_r = hv::vplatform::decode_mmio(cut, mode);
        ASSERT_FALSE(short_r) << e.text;
        EXPECT_EQ(short_r.error(), Mmio_decode_error::TRUNCATED) << e.text;
    }
}

TEST(MmioDecode, LongModeEncodingsFromTheAssembler)
{
    check_table(mmio_table64, mmio_table64_end, expect64, std::size(expect64), Cpu_mode::LONG_64);
}

TEST(MmioDecode, ProtectedModeEncodingsFromTheAssembler)
{
    check_table(mmio_table32, mmio_table32_end, expect32, std::size(expect32),
                Cpu_mode::PROTECTED_32);
}

Mmio_decode_error fails(std::vector<uint8_t> const &b, Cpu_mode m = Cpu_mode::LONG_64)
{
    auto const r = hv::vplatform::decode_mmio(b, m);
    EXPECT_FALSE(r);
    return r ? Mmio_decode_error::UNSUPPORTED : r.error();
}

TEST(MmioDecode, RefusesWhatItCannotEmulate)
{
    EXPECT_EQ(fails({0x89, 0xd8}), Mmio_decode_error::NOT_MEMORY);              // mov %ebx,%eax
    EXPECT_EQ(fails({0xf3, 0xa4}), Mmio_decode_error::UNSUPPORTED);             // rep movsb
    EXPECT_EQ(fails({0xf0, 0x89, 0x00}), Mmio_decode_error::UNSUPPORTED);       // lock mov
    EXPECT_EQ(fails({0x87, 0x00}), Mmio_decode_error::UNSUPPORTED);             // xchg
    EXPECT_EQ(fails({0xc7, 0x08, 1, 0, 0, 0}), Mmio_decode_error::UNSUPPORTED); // c7 /1
    EXPECT_EQ(fails({0x0f, 0x0b}), Mmio_decode_error::UNSUPPORTED);             // ud2
    EXPECT_EQ(fails({0x67, 0x8b, 0x00}, Cpu_mode::PROTECTED_32), Mmio_decode_error::UNSUPPORTED);
    EXPECT_EQ(fails({}), Mmio_decode_error::TRUNCATED);
    std::vector<uint8_t> prefixes(15, 0x66);
    prefixes.push_back(0x8b);
    prefixes.push_back(0x00);
    EXPECT_EQ(fails(prefixes), Mmio_decode_error::TOO_LONG);
}

TEST(MmioDecode, RexIsIgnoredInProtectedModeAndBeforeALegacyPrefix)
{
    // In 32-bit mode 0x41 is "inc %ecx", not a REX prefix.
    EXPECT_EQ(fails({0x41, 0x8b, 0x00}, Cpu_mode::PROTECTED_32), Mmio_decode_error::UNSUPPORTED);
    // 48 64 8b 00: the REX.W is void because a segment prefix follows it.
    auto const r =
        hv::vplatform::decode_mmio(std::vector<uint8_t>{0x48, 0x64, 0x8b, 0x00}, Cpu_mode::LONG_64);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->size, 4);
}

TEST(MmioDecode, LoadsMergeIntoRegistersAsTheCpuDoes)
{
    using hv::vplatform::mmio_apply_load;
    Mmio_insn l32{};
    l32.size = 4;
    l32.dest_size = 4;
    EXPECT_EQ(mmio_apply_load(l32, ~uint64_t{0}, 0x12345678, Cpu_mode::LONG_64), 0x12345678u);
    EXPECT_EQ(mmio_apply_load(l32, 0xaaaaaaaa00000000, 0x1, Cpu_mode::PROTECTED_32),
              0xaaaaaaaa00000001u);
    Mmio_insn l16{};
    l16.size = 2;
    l16.dest_size = 2;
    EXPECT_EQ(mmio_apply_load(l16, 0x1111222233334444, 0xbeef, Cpu_mode::LONG_64),
              0x111122223333beefu);
    Mmio_insn h8{};
    h8.size = 1;
    h8.dest_size = 1;
    h8.high8 = true;
    EXPECT_EQ(mmio_apply_load(h8, 0xffff, 0x12, Cpu_mode::LONG_64), 0x12ffu);
    Mmio_insn sx{};
    sx.size = 1;
    sx.dest_size = 8;
    sx.extend = 2;
    EXPECT_EQ(mmio_apply_load(sx, 0, 0x80, Cpu_mode::LONG_64), 0xffffffffffffff80u);
    Mmio_insn zx = sx;
    zx.extend = 1;
    EXPECT_EQ(mmio_apply_load(zx, ~uint64_t{0}, 0x80, Cpu_mode::LONG_64), 0x80u);
}

TEST(MmioDecode, StoreValues)
{
    using hv::vplatform::mmio_store_value;
    Mmio_insn s{};
    s.size = 2;
    EXPECT_EQ(mmio_store_value(s, 0x12345678), 0x5678u);
    s.size = 1;
    s.high8 = true;
    EXPECT_EQ(mmio_store_value(s, 0xabcd), 0xabu);
    Mmio_insn imm{};
    imm.has_imm = true;
    imm.imm = 42;
    EXPECT_EQ(mmio_store_value(imm, 7), 42u);
}

} // namespace
