// SPDX-License-Identifier: MIT
#include "codec.hpp"

#include <array>
#include <cstring>

namespace dom::store
{

namespace
{

constexpr auto make_crc_table()
{
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto CRC_TABLE = make_crc_table();

void put_u32(std::string &out, uint32_t v)
{
    char b[4];
    std::memcpy(b, &v, 4);
    out.append(b, 4);
}

void put_str(std::string &out, std::string_view s)
{
    put_u32(out, static_cast<uint32_t>(s.size()));
    out += s;
}

void put_perms(std::string &out, Perms const &perms)
{
    put_u32(out, static_cast<uint32_t>(perms.size()));
    for (auto const &p : perms) {
        put_u32(out, p.domid);
        out += static_cast<char>(p.access);
    }
}

struct Reader
{
    std::string_view in;
    bool ok = true;

    uint32_t u32()
    {
        if (in.size() < 4) {
            ok = false;
            return 0;
        }
        uint32_t v;
        std::memcpy(&v, in.data(), 4);
        in.remove_prefix(4);
        return v;
    }
    std::string str()
    {
        uint32_t const n = u32();
        if (!ok || in.size() < n) {
            ok = false;
            return {};
        }
        std::string s{in.substr(0, n)};
        in.remove_prefix(n);
        return s;
    }
    Perms perms()
    {
        uint32_t const n = u32();
        Perms p;
        if (!ok || in.size() < static_cast<size_t>(n) * 5) {
            ok = false;
            return p;
        }
        for (uint32_t i = 0; i < n; ++i) {
            uint32_t const id = u32();
            p.push_back(Perm{id, static_cast<uint8_t>(in.front() & ACCESS_BOTH)});
            in.remove_prefix(1);
        }
        return p;
    }
};

} // namespace

uint32_t crc32(std::string_view bytes)
{
    uint32_t c = 0xffffffffu;
    for (unsigned char const b : bytes)
        c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

void encode_op(Op const &op, std::string &out)
{
    out += static_cast<char>(op.kind);
    switch (op.kind) {
    case Op::Kind::PUT:
        put_str(out, op.path);
        put_str(out, op.value);
        put_perms(out, op.perms);
        break;
    case Op::Kind::DEL: put_str(out, op.path); break;
    case Op::Kind::INTRODUCE:
        put_u32(out, op.a);
        put_u32(out, op.b);
        put_u32(out, static_cast<uint32_t>(static_cast<uint64_t>(op.gfn)));
        put_u32(out, static_cast<uint32_t>(static_cast<uint64_t>(op.gfn) >> 32));
        break;
    case Op::Kind::RELEASE: put_u32(out, op.a); break;
    case Op::Kind::SET_TARGET:
        put_u32(out, op.a);
        put_u32(out, op.b);
        break;
    case Op::Kind::SPECIAL_PERMS:
        put_str(out, op.path);
        put_perms(out, op.perms);
        break;
    case Op::Kind::QUOTA:
        put_u32(out, op.a);
        put_str(out, op.path);
        put_u32(out, op.b);
        break;
    }
}

std::optional<std::vector<Op>> decode_ops(std::string_view payload)
{
    Reader r{payload};
    std::vector<Op> ops;
    while (r.ok && !r.in.empty()) {
        Op op{static_cast<Op::Kind>(r.in.front()), {}, {}, {}};
        r.in.remove_prefix(1);
        switch (op.kind) {
        case Op::Kind::PUT:
            op.path = r.str();
            op.value = r.str();
            op.perms = r.perms();
            break;
        case Op::Kind::DEL: op.path = r.str(); break;
        case Op::Kind::INTRODUCE: {
            op.a = r.u32();
            op.b = r.u32();
            uint64_t const lo = r.u32();
            uint64_t const hi = r.u32();
            op.gfn = static_cast<int64_t>(lo | (hi << 32));
            break;
        }
        case Op::Kind::RELEASE: op.a = r.u32(); break;
        case Op::Kind::SET_TARGET:
            op.a = r.u32();
            op.b = r.u32();
            break;
        case Op::Kind::SPECIAL_PERMS:
            op.path = r.str();
            op.perms = r.perms();
            break;
        case Op::Kind::QUOTA:
            op.a = r.u32();
            op.path = r.str();
            op.b = r.u32();
            break;
        default: return std::nullopt;
        }
        if (r.ok)
            ops.push_back(std::move(op));
    }
    if (!r.ok)
        return std::nullopt;
    return ops;
}

void encode_record(std::vector<Op> const &ops, std::string &out)
{
    size_t const start = begin_record(out);
    for (auto const &op : ops)
        encode_op(op, out);
    end_record(out, start);
}

size_t begin_record(std::string &out)
{
    size_t const start = out.size();
    out.append(8, '\0');
    return start;
}

void end_record(std::string &out, size_t start)
{
    std::string_view const payload = std::string_view{out}.substr(start + 8);
    uint32_t const len = static_cast<uint32_t>(payload.size());
    uint32_t const crc = crc32(payload);
    std::memcpy(&out[start], &len, 4);
    std::memcpy(&out[start + 4], &crc, 4);
}

std::optional<Record_view> next_record(std::string_view bytes)
{
    if (bytes.size() < 8)
        return std::nullopt;
    uint32_t len, crc;
    std::memcpy(&len, bytes.data(), 4);
    std::memcpy(&crc, bytes.data() + 4, 4);
    // No record is empty: a zero length is the journal segment's preallocated, zero-filled
    // space after the last record.
    if (len == 0 || bytes.size() - 8 < len)
        return std::nullopt;
    std::string_view const payload = bytes.substr(8, len);
    if (crc32(payload) != crc)
        return std::nullopt;
    return Record_view{payload, 8 + static_cast<size_t>(len)};
}

} // namespace dom::store
