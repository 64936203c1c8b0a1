// SPDX-License-Identifier: MIT
// Local APIC emulation for PVH guests (see guest_apic.hpp).
#include "kernel/guest_apic.hpp"

#include <array>

#include "hv/vplatform/mmio_decode.hpp"
#include "hv/vplatform/vlapic.hpp"
#include "kernel/guest_memory.hpp"

namespace hv::kernel
{
namespace
{

using arch::Reg;

struct Apic_slot
{
    uint16_t owner = 0xffff;
    alignas(vplatform::Vlapic) unsigned char storage[sizeof(vplatform::Vlapic)];
    bool built = false;
};

std::array<Apic_slot, MAX_DOMAINS> apics;

vplatform::Vlapic &apic_of(Domain const &d)
{
    Apic_slot &s = apics[static_cast<size_t>(&d - domains().data())];
    if (!s.built || s.owner != d.id) {
        new (s.storage) vplatform::Vlapic(0, true);
        s.built = true;
        s.owner = d.id;
    }
    return *reinterpret_cast<vplatform::Vlapic *>(s.storage);
}

} // namespace

void guest_apic_reset(Domain const &d)
{
    apics[static_cast<size_t>(&d - domains().data())].built = false;
}

bool guest_apic_owns_msr(uint32_t index)
{
    return index == 0x1b || (index >= 0x800 && index <= 0x8ff);
}

std::optional<uint64_t> guest_apic_read_msr(Domain const &d, uint32_t index)
{
    vplatform::Vlapic &a = apic_of(d);
    if (index == 0x1b)
        return a.apic_base();
    auto const r = a.read_msr(index);
    if (!r)
        return std::nullopt;
    return *r;
}

bool guest_apic_write_msr(Domain const &d, uint32_t index, uint64_t value)
{
    vplatform::Vlapic &a = apic_of(d);
    if (index == 0x1b)
        return static_cast<bool>(a.write_apic_base(value));
    return static_cast<bool>(a.write_msr(index, value));
}

bool guest_apic_mmio(Domain &d, arch::Vcpu &v, uint64_t gpa, bool write)
{
    uint64_t const rip = v.reg(Reg::RIP);
    // Up to 15 bytes, but never across into a page the guest may not have mapped.
    size_t const avail = 4096 - (rip & 4095);
    size_t const n = avail < 15 ? avail : 15;
    uint8_t bytes[15] = {};
    if (!read_guest(d, v, rip, bytes, n))
        return false;
    auto const mode = v.mode() == arch::Guest_mode::LONG64 ? vplatform::Cpu_mode::LONG_64
                                                           : vplatform::Cpu_mode::PROTECTED_32;
    auto const insn = vplatform::decode_mmio({bytes, n}, mode);
    if (!insn || insn->write != write)
        return false;
    vplatform::Vlapic &a = apic_of(d);
    uint32_t const offset = static_cast<uint32_t>(gpa & 0xfff);
    Reg const reg = static_cast<Reg>(insn->reg);
    if (insn->write) {
        uint64_t const value =
            insn->has_imm ? insn->imm : vplatform::mmio_store_value(*insn, v.reg(reg));
        (void)a.write_mmio(offset & ~0xfu, static_cast<uint32_t>(value)); // bad writes dropped
    } else {
        auto const r = a.read_mmio(offset & ~0xfu);
        uint64_t const data = r ? *r : 0;
        v.reg(reg, vplatform::mmio_apply_load(*insn, v.reg(reg), data, mode));
    }
    v.reg(Reg::RIP, rip + insn->length);
    return true;
}

} // namespace hv::kernel
