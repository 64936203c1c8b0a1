// SPDX-License-Identifier: MIT
// Encodings from the Intel SDM vol. 2 (MOV 88/89/8A/8B/C6/C7/A0-A3, MOVZX 0F B6/B7,
// MOVSX 0F BE/BF) and the ModRM/SIB tables 2-2 and 2-3.
#include "hv/vplatform/mmio_decode.hpp"

namespace hv::vplatform
{
namespace
{

constexpr size_t MAX_LENGTH = 15;

class Cursor
{
  public:
    explicit Cursor(std::span<uint8_t const> b) : b_{b} {}
    bool take(uint8_t &v)
    {
        if (pos_ >= b_.size() || pos_ >= MAX_LENGTH)
            return false;
        v = b_[pos_++];
        return true;
    }
    bool skip(size_t n)
    {
        if (pos_ + n > b_.size() || pos_ + n > MAX_LENGTH)
            return false;
        pos_ += n;
        return true;
    }
    bool imm(size_t n, uint64_t &v)
    {
        if (pos_ + n > b_.size() || pos_ + n > MAX_LENGTH)
            return false;
        v = 0;
        for (size_t i = 0; i < n; ++i)
            v |= uint64_t{b_[pos_ + i]} << (8 * i);
        pos_ += n;
        return true;
    }
    size_t pos() const { return pos_; }
    // A short buffer and an over-long instruction fail alike in take(); tell them apart.
    Mmio_decode_error why() const
    {
        return pos_ >= MAX_LENGTH ? Mmio_decode_error::TOO_LONG : Mmio_decode_error::TRUNCATED;
    }

  private:
    std::span<uint8_t const> b_;
    size_t pos_ = 0;
};

struct Prefixes
{
    bool opsize = false;   // 0x66
    bool addrsize = false; // 0x67
    uint8_t rex = 0;
};

uint64_t sign_extend(uint64_t v, unsigned from_bytes)
{
    unsigned const bits = from_bytes * 8;
    if (bits >= 64)
        return v;
    uint64_t const m = uint64_t{1} << (bits - 1);
    v &= (uint64_t{1} << bits) - 1;
    return (v ^ m) - m;
}

uint64_t truncate(uint64_t v, unsigned bytes)
{
    return bytes >= 8 ? v : v & ((uint64_t{1} << (bytes * 8)) - 1);
}

// Consumes ModRM (+SIB, +displacement); returns the reg field extended by REX.R.
Result<uint8_t, Mmio_decode_error> modrm_memory(Cursor &c, Prefixes const &p, Cpu_mode mode,
                                                uint8_t &reg_field)
{
    uint8_t modrm = 0;
    if (!c.take(modrm))
        return unexpected(c.why());
    uint8_t const mod = modrm >> 6;
    uint8_t const rm = modrm & 7;
    reg_field = static_cast<uint8_t>(((modrm >> 3) & 7) | ((p.rex & 4) ? 8 : 0));
    if (mod == 3)
        return unexpected(Mmio_decode_error::NOT_MEMORY);
    if (mode == Cpu_mode::PROTECTED_32 && p.addrsize)
        return unexpected(Mmio_decode_error::UNSUPPORTED); // 16-bit addressing
    size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) {
        uint8_t sib = 0;
        if (!c.take(sib))
            return unexpected(c.why());
        if (mod == 0 && (sib & 7) == 5)
            disp = 4;
    } else if (mod == 0 && rm == 5) {
        disp = 4; // disp32, RIP-relative in long mode
    }
    if (!c.skip(disp))
        return unexpected(c.why());
    return reg_field;
}

unsigned operand_size(Prefixes const &p)
{
    if (p.rex & 8)
        return 8;
    return p.opsize ? 2 : 4;
}

void name_register(Mmio_insn &insn, uint8_t reg, Prefixes const &p, bool byte_op)
{
    insn.reg = reg;
    insn.high8 = false;
    if (byte_op && p.rex == 0 && reg >= 4 && reg <= 7) {
        insn.reg = static_cast<uint8_t>(reg - 4); // AH, CH, DH, BH
        insn.high8 = true;
    }
}

} // namespace

char const *mmio_decode_error_name(Mmio_decode_error e)
{
    switch (e) {
    case Mmio_decode_error::TRUNCATED: return "instruction bytes truncated";
    case Mmio_decode_error::TOO_LONG: return "instruction longer than 15 bytes";
    case Mmio_decode_error::UNSUPPORTED: return "unsupported instruction for MMIO emulation";
    case Mmio_decode_error::NOT_MEMORY: return "instruction has no memory operand";
    }
    return "unknown decode error";
}

Result<Mmio_insn, Mmio_decode_error> decode_mmio(std::span<uint8_t const> bytes, Cpu_mode mode)
{
    Cursor c{bytes};
    Prefixes p;
    uint8_t op = 0;
    for (;;) {
        if (!c.take(op))
            return unexpected(c.why());
        if (op == 0x66)
            p.opsize = true;
        else if (op == 0x67)
            p.addrsize = true;
        else if (op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e || op == 0x64 || op == 0x65)
            p.rex = 0; // segment override: no effect on the access; a REX before it is void
        else if (op == 0xf0 || op == 0xf2 || op == 0xf3)
            return unexpected(Mmio_decode_error::UNSUPPORTED);
        else if (mode == Cpu_mode::LONG_64 && op >= 0x40 && op <= 0x4f)
            p.rex = op; // must be last: a legacy prefix after it would clear it above
        else
            break;
        if (op < 0x40 || op > 0x4f)
            p.rex = 0;
    }

    Mmio_insn insn{};
    uint8_t reg = 0;
    switch (op) {
    case 0x88:
    case 0x89:
    case 0x8a:
    case 0x8b: {
        HV_TRY(modrm_memory(c, p, mode, reg));
        bool const byte_op = op == 0x88 || op == 0x8a;
        insn.size = static_cast<uint8_t>(byte_op ? 1 : operand_size(p));
        insn.write = op == 0x88 || op == 0x89;
        name_register(insn, reg, p, byte_op);
        break;
    }
    case 0xc6:
    case 0xc7: {
        HV_TRY(modrm_memory(c, p, mode, reg));
        if ((reg & 7) != 0)
            return unexpected(Mmio_decode_error::UNSUPPORTED);
        insn.size = static_cast<uint8_t>(op == 0xc6 ? 1 : operand_size(p));
        unsigned const imm_bytes = insn.size == 8 ? 4 : insn.size;
        uint64_t imm = 0;
        if (!c.imm(imm_bytes, imm))
            return unexpected(c.why());
        insn.write = true;
        insn.has_imm = true;
        insn.imm = truncate(sign_extend(imm, imm_bytes), insn.size);
        break;
    }
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3: {
        size_t const moffs =
            mode == Cpu_mode::LONG_64 ? (p.addrsize ? 4 : 8) : (p.addrsize ? 2 : 4);
        if (!c.skip(moffs))
            return unexpected(c.why());
        bool const byte_op = op == 0xa0 || op == 0xa2;
        insn.size = static_cast<uint8_t>(byte_op ? 1 : operand_size(p));
        insn.write = op >= 0xa2;
        insn.reg = 0; // AL / AX / EAX / RAX
        break;
    }
    case 0x0f: {
        uint8_t op2 = 0;
        if (!c.take(op2))
            return unexpected(c.why());
        if (op2 != 0xb6 && op2 != 0xb7 && op2 != 0xbe && op2 != 0xbf)
            return unexpected(Mmio_decode_error::UNSUPPORTED);
        HV_TRY(modrm_memory(c, p, mode, reg));
        insn.size = (op2 & 1) ? 2 : 1;
        insn.extend = op2 >= 0xbe ? 2 : 1;
        insn.dest_size = static_cast<uint8_t>(operand_size(p));
        name_register(insn, reg, p, false);
        break;
    }
    default: return unexpected(Mmio_decode_error::UNSUPPORTED);
    }
    if (insn.dest_size == 0)
        insn.dest_size = insn.size;
    insn.length = static_cast<uint8_t>(c.pos());
    return insn;
}

uint64_t mmio_apply_load(Mmio_insn const &insn, uint64_t old_reg, uint64_t data, Cpu_mode mode)
{
    uint64_t v = truncate(data, insn.size);
    if (insn.extend == 2)
        v = truncate(sign_extend(v, insn.size), insn.dest_size);
    if (insn.high8)
        return (old_reg & ~uint64_t{0xff00}) | ((v & 0xff) << 8);
    switch (insn.dest_size) {
    case 1: return (old_reg & ~uint64_t{0xff}) | v;
    case 2: return (old_reg & ~uint64_t{0xffff}) | v;
    case 4: return mode == Cpu_mode::LONG_64 ? v : (old_reg & ~uint64_t{0xffffffff}) | v;
    default: return v;
    }
}

uint64_t mmio_store_value(Mmio_insn const &insn, uint64_t reg_value)
{
    if (insn.has_imm)
        return insn.imm;
    if (insn.high8)
        return (reg_value >> 8) & 0xff;
    return truncate(reg_value, insn.size);
}

} // namespace hv::vplatform
